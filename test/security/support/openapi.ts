import { BACKEND_SERVICES } from "@comptoir/contracts";
import AjvCompiler from "@fastify/ajv-compiler";
import { call } from "./platform";

/**
 * The public operations of the services as their OpenAPI documents describe them (read through the
 * gateway at /docs/<service>/openapi.json), with an oracle per operation: does a request's path,
 * query, headers and body conform to what the document says? The oracle validates the way the
 * services do (packages/platform/src/http/app.ts): the same Ajv compiler and options, coercion for
 * the path, query and headers, none for JSON bodies.
 */
export type JsonSchema = Record<string, any>;

export const SERVICES = BACKEND_SERVICES;
export type Service = (typeof SERVICES)[number];

export interface Parameter {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  service: Service;
  method: string;
  /** The path template, e.g. /api/catalog/products/{id}. */
  path: string;
  /** "METHOD /path/template". */
  key: string;
  /** The document asks for a bearer token. */
  secured: boolean;
  params: Parameter[];
  /** The JSON request body, when the operation documents one. */
  body?: { schema: JsonSchema; required: boolean };
  /** The first reason a part of a request breaks the document, or undefined when it conforms. */
  check: {
    path(values: Record<string, string>): string | undefined;
    query(values: Record<string, string | string[]>): string | undefined;
    headers(values: Record<string, string>): string | undefined;
    body(value: unknown): string | undefined;
  };
}

type Validate = ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string }[] | null };
type Compile = (route: { schema: JsonSchema; httpPart?: string }) => Validate;

// The services' options (createApp), plus tolerance for the document's own keywords (description…).
const SERVICE_OPTIONS = { removeAdditional: false, useDefaults: true, allErrors: true, strictSchema: false };
const compilers = AjvCompiler() as unknown as (external: object, options: object) => Compile;
const coercing = compilers({}, { customOptions: { ...SERVICE_OPTIONS, coerceTypes: "array" } });
const exact = compilers({}, { customOptions: { ...SERVICE_OPTIONS, coerceTypes: false } });

/** A copy to validate; a value too deep to copy (5000 nested arrays) is only read. */
function copyOf(data: unknown): unknown {
  if (data === undefined) return undefined;
  try {
    return structuredClone(data);
  } catch (error) {
    if (error instanceof RangeError) return data;
    throw error;
  }
}

/**
 * Ajv coerces "Infinity" to Infinity and then skips the bounds of a number that is not finite; as
 * JSON Schema reads the document, ±Infinity is never a valid integer or number (the services refuse
 * it too: packages/platform/src/http/app.ts).
 */
function nonFinite(data: unknown): string | undefined {
  if (!data || typeof data !== "object") return undefined;
  for (const [key, value] of Object.entries(data)) {
    if ((Array.isArray(value) ? value : [value]).some((v) => typeof v === "number" && !Number.isFinite(v))) {
      return `/${key} must be a finite number`;
    }
  }
  return undefined;
}

function checker(compile: Compile, schema: JsonSchema): (data: unknown) => string | undefined {
  let validate: Validate | undefined;
  return (data) => {
    validate ??= compile({ schema });
    let valid: boolean;
    const coerced = copyOf(data);
    try {
      // Ajv coerces and fills defaults in place: the request as sent stays untouched.
      valid = validate(coerced);
    } catch (error) {
      // Nesting deeper than a recursive validator goes (the services' Ajv would fail the same way).
      if (error instanceof RangeError) return "/ is nested too deep to validate";
      throw error;
    }
    if (valid) return compile === coercing ? nonFinite(coerced) : undefined;
    const first = validate.errors?.[0];
    return `${first?.instancePath || "/"} ${first?.message ?? "is invalid"}`;
  };
}

/** An object schema of some parameters; one with a default is never missing (Ajv fills it first). */
function parametersSchema(params: Parameter[]): JsonSchema {
  return {
    type: "object",
    properties: Object.fromEntries(params.map((p) => [p.name, p.schema])),
    required: params.filter((p) => p.required && p.schema.default === undefined).map((p) => p.name),
  };
}

/** `#/components/schemas/…` references replaced by what they name (request schemas rarely have any). */
function inline(schema: unknown, components: Record<string, JsonSchema>, depth = 0): any {
  if (Array.isArray(schema)) return schema.map((s) => inline(s, components, depth));
  if (!schema || typeof schema !== "object") return schema;
  const ref = (schema as JsonSchema).$ref;
  if (typeof ref === "string" && ref.startsWith("#/components/schemas/")) {
    // A recursive schema (a category tree) is cut short: anything goes below that depth.
    return depth > 8 ? {} : inline(components[ref.slice("#/components/schemas/".length)], components, depth + 1);
  }
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, inline(v, components, depth)]));
}

const METHODS = ["get", "post", "put", "patch", "delete"];

export function operationsOf(service: Service, doc: any): Operation[] {
  const components = doc.components?.schemas ?? {};
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const params: Parameter[] = [...(item.parameters ?? []), ...(op.parameters ?? [])]
        .filter((p: any) => p.in === "path" || p.in === "query" || p.in === "header")
        .map((p: any) => ({
          name: p.in === "header" ? String(p.name).toLowerCase() : String(p.name),
          in: p.in,
          required: p.required === true,
          schema: inline(p.schema ?? {}, components),
        }));
      const json = op.requestBody?.content?.["application/json"]?.schema;
      const body = json ? { schema: inline(json, components), required: op.requestBody.required === true } : undefined;
      const part = (where: Parameter["in"]) => parametersSchema(params.filter((p) => p.in === where));
      const bodyCheck = body ? checker(exact, body.schema) : () => undefined;
      operations.push({
        service,
        method: method.toUpperCase(),
        path,
        key: `${method.toUpperCase()} ${path}`,
        secured: Array.isArray(op.security) && op.security.length > 0,
        params,
        ...(body ? { body } : {}),
        check: {
          path: checker(coercing, part("path")),
          query: checker(coercing, part("query")),
          headers: checker(coercing, part("header")),
          body: bodyCheck,
        },
      });
    }
  }
  return operations;
}

/** Every public operation of every service, from the documents the gateway serves. */
export async function loadOperations(from: string): Promise<Operation[]> {
  const all: Operation[] = [];
  for (const service of SERVICES) {
    const doc = await call("GET", `/docs/${service}/openapi.json`, { from });
    if (doc.status !== 200) throw new Error(`GET /docs/${service}/openapi.json: ${doc.status} ${doc.text}`);
    all.push(...operationsOf(service, doc.body));
  }
  return all;
}
