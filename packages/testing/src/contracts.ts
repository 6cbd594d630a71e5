import { isDeepStrictEqual } from "node:util";
import type { Endpoint } from "@comptoir/contracts/http";
import { type App, createApp } from "@comptoir/platform";
import { testLogger } from "./http";

type Operation = {
  parameters?: { in: string; name: string }[];
  requestBody?: unknown;
  responses?: Record<string, { content?: unknown }>;
};

async function operationsOf(app: App): Promise<Record<string, Record<string, Operation>>> {
  const res = await app.inject({ method: "GET", url: "/openapi.json" });
  if (res.statusCode !== 200) throw new Error(`/openapi.json answered ${res.statusCode}`);
  return res.json().paths;
}

/**
 * How the provider's routes (in `app`'s OpenAPI document) differ from their HTTP contracts: for each
 * endpoint, its path and query parameters, its body and each success answer, compared with those of
 * a route registered from the contract alone (both through the same OpenAPI rendering). Empty when
 * the provider's routes use the contract's schemas. Also lists a success status the route documents
 * and the contract does not.
 */
export async function contractMismatches(app: App, endpoints: Record<string, Endpoint>): Promise<string[]> {
  const reference = await createApp({ service: "contract", instance: "contract-1", logger: testLogger("contract") });
  for (const e of Object.values(endpoints)) {
    reference.route({
      method: e.method,
      url: e.path,
      schema: {
        ...(e.params ? { params: e.params } : {}),
        ...(e.query ? { querystring: e.query } : {}),
        ...(e.body ? { body: e.body } : {}),
        response: e.responses,
      },
      handler: async () => null,
    });
  }
  try {
    const [actual, expected] = await Promise.all([operationsOf(app), operationsOf(reference)]);
    const mismatches: string[] = [];
    for (const [name, e] of Object.entries(endpoints)) {
      const path = e.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
      const method = e.method.toLowerCase();
      const where = `${name} (${e.method} ${e.path})`;
      const got = actual[path]?.[method];
      const want = expected[path]![method]!;
      if (!got) {
        mismatches.push(`${where}: no such route`);
        continue;
      }
      const params = (op: Operation) =>
        (op.parameters ?? [])
          .filter((p) => p.in === "path" || p.in === "query")
          .sort((a, b) => `${a.in}${a.name}`.localeCompare(`${b.in}${b.name}`));
      if (!isDeepStrictEqual(params(got), params(want))) mismatches.push(`${where}: parameters differ`);
      if (!isDeepStrictEqual(got.requestBody, want.requestBody)) mismatches.push(`${where}: body differs`);
      for (const status of Object.keys(e.responses)) {
        if (!isDeepStrictEqual(got.responses?.[status]?.content, want.responses?.[status]?.content)) {
          mismatches.push(`${where}: answer ${status} differs`);
        }
      }
      for (const status of Object.keys(got.responses ?? {})) {
        if (status.startsWith("2") && !(status in e.responses)) {
          mismatches.push(`${where}: answer ${status} is not in the contract`);
        }
      }
    }
    return mismatches;
  } finally {
    await reference.close();
  }
}
