import fc from "fast-check";
import type { JsonSchema, Operation, Parameter } from "./openapi";

/**
 * Requests for one operation, made from its OpenAPI document with fast-check: a valid-looking
 * request (every part drawn from its schema, ids from the objects the platform answered with),
 * then one mutation of it — a path parameter, a query parameter, a header or the body made wrong in
 * one of the ways attackers and broken clients try. `judge` then says whether the request, as it
 * will reach the service, breaks the document (it must not be accepted) or cannot be judged.
 */

export type BodyDraft =
  | { json: unknown }
  /** Sent as is; `contentType` undefined: application/json. */
  | { text: string; contentType?: string };

export interface FuzzCase {
  /** Which mutation (or "valid"), for the report. */
  kind: string;
  /** Path parameters, as they go in the URL (already percent-encoded, or deliberately not). */
  path: Record<string, string>;
  /** Query parameters as the service will parse them, or a raw query string. */
  query: [string, string][] | { raw: string };
  headers: Record<string, string>;
  body?: BodyDraft;
  /** A mutation that knows better than the schema (prototype keys: Fastify refuses them). */
  verdict?: "invalid" | "unjudged";
}

/** Ids the platform has answered with, by collection name ("products", "variants"…). */
export interface IdSource {
  /**
   * For a write: only what the fuzz created, unless `field` is safe to point at a demo object (a
   * product's category); for a read: anything seen.
   */
  ids(collection: string, forWrite: boolean, field?: string): string[];
}

// ---------------------------------------------------------------------------------------------
// Valid-looking values, from a schema
// ---------------------------------------------------------------------------------------------

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function singular(name: string): string {
  return name.endsWith("ies") ? `${name.slice(0, -3)}y` : name.endsWith("s") ? name.slice(0, -1) : name;
}

/** The collection a field or parameter named `name` refers to: variantId → variants, category → categories. */
export function collectionFor(name: string, known: readonly string[]): string | undefined {
  const stem = name.replace(/Ids?$/, "").toLowerCase();
  if (stem === "" || stem === "id") return undefined;
  return known.find((c) => stem === singular(c).toLowerCase() || stem.endsWith(singular(c).toLowerCase()));
}

export interface ValueContext {
  ids: IdSource;
  forWrite: boolean;
  collections: readonly string[];
}

function uuidFor(name: string | undefined, ctx: ValueContext): fc.Arbitrary<string> {
  const collection = name ? collectionFor(name, ctx.collections) : undefined;
  const known = collection ? ctx.ids.ids(collection, ctx.forWrite, name) : [];
  const random = fc.uuid();
  return known.length > 0 ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...known) }, random) : random;
}

function textArb(minLength: number, maxLength: number): fc.Arbitrary<string> {
  const max = Math.max(minLength, Math.min(maxLength, minLength + 40));
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength, maxLength: max }) },
    { weight: 1, arbitrary: fc.string({ minLength, maxLength: max, unit: "grapheme" }) },
    // NUL and other control characters (PostgreSQL refuses NUL in text).
    { weight: 1, arbitrary: fc.string({ minLength, maxLength: max, unit: "binary-ascii" }) },
  );
}

function stringArb(schema: JsonSchema, name: string | undefined, ctx: ValueContext): fc.Arbitrary<string> {
  // A rule only the description states ("at least 10 characters": a password) is followed too.
  const stated = /at least (\d+) characters/.exec(String(schema.description ?? ""));
  const minLength: number = Math.max(schema.minLength ?? 0, stated ? Number(stated[1]) : 0);
  const maxLength: number = schema.maxLength ?? 10_000;
  const fits = (s: string) => [...s].length >= minLength && [...s].length <= maxLength;
  switch (schema.format) {
    case "uuid":
      return uuidFor(name, ctx);
    case "email":
      return fc.emailAddress().filter((s) => s.length <= maxLength);
    case "date-time":
      return fc
        .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true })
        .map((d) => d.toISOString());
    case "date":
      return fc
        .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10));
  }
  if (typeof schema.pattern === "string") {
    const matching = fc.stringMatching(new RegExp(schema.pattern, "u")).filter(fits);
    return fc.oneof({ weight: 4, arbitrary: matching }, textArb(minLength, maxLength));
  }
  return textArb(minLength, maxLength);
}

function integerArb(schema: JsonSchema): fc.Arbitrary<number> {
  const min = BigInt(Math.ceil(Math.max(schema.minimum ?? -1e6, Number.MIN_SAFE_INTEGER)));
  const max = BigInt(Math.floor(Math.min(schema.maximum ?? 1e6, Number.MAX_SAFE_INTEGER)));
  const small = fc.bigInt({ min, max: min + 100n < max ? min + 100n : max });
  return fc.oneof(small, fc.bigInt({ min, max: max > MAX_SAFE ? MAX_SAFE : max })).map(Number);
}

export function valueArb(schema: JsonSchema, ctx: ValueContext, name?: string, depth = 0): fc.Arbitrary<unknown> {
  if (depth > 6) return fc.constant(null);
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
  if ("const" in schema) return fc.constant(schema.const);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(alternatives) && alternatives.length > 0) {
    return fc.oneof(...alternatives.map((s: JsonSchema) => valueArb({ ...s }, ctx, name, depth + 1)));
  }
  const types: string[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length > 1) return fc.oneof(...types.map((type) => valueArb({ ...schema, type }, ctx, name, depth + 1)));
  switch (types[0]) {
    case "string":
      return stringArb(schema, name, ctx);
    case "integer":
      return integerArb(schema);
    case "number":
      return fc.double({
        min: schema.minimum ?? -1e9,
        max: schema.maximum ?? 1e9,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array": {
      const minLength: number = schema.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? 3, 3));
      return fc.array(valueArb(schema.items ?? {}, ctx, singular(name ?? "item"), depth + 1), {
        minLength,
        maxLength,
      });
    }
    case "object":
      return objectArb(schema, ctx, depth);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function objectArb(schema: JsonSchema, ctx: ValueContext, depth: number): fc.Arbitrary<unknown> {
  const properties: Record<string, JsonSchema> = schema.properties ?? {};
  const required: string[] = (schema.required ?? []).filter((k: string) => k in properties);
  const minProperties: number = schema.minProperties ?? 0;
  const known = fc.record(
    Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, valueArb(s, ctx, k, depth + 1)])),
    { requiredKeys: required },
  );
  const extra =
    schema.additionalProperties && typeof schema.additionalProperties === "object"
      ? fc.dictionary(
          fc.stringMatching(/^[a-z]{1,12}$/),
          valueArb(schema.additionalProperties, ctx, undefined, depth + 1),
          {
            minKeys: Object.keys(properties).length === 0 ? Math.min(minProperties, 3) : 0,
            maxKeys: Math.min(schema.maxProperties ?? 3, 3),
          },
        )
      : fc.constant({});
  return fc
    .tuple(extra, known)
    .map(([e, k]) => ({ ...e, ...k }))
    .filter((o) => Object.keys(o).length >= minProperties);
}

// ---------------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------------

const HUGE = 100 * 1024;
/** Numbers at and past the edges: too big for int4/int8, negative, fractional, unsafe. */
export const EDGE_NUMBERS = [1e17, -1, 1.5, 0, -0, -1e17, 2 ** 31, 2 ** 53 + 2, 1e308, -2147483649, 0.0001];
/** JSON-ish number literals JSON.parse reads oddly or not at all. */
const RAW_NUMBERS = ["1e999", "-1e999", "NaN", "Infinity", "0x10", "1_000", "01", "1e17", "-0"];
const WRONG_TYPES: unknown[] = [42, -1, 1.5, "text", "", true, false, null, [], {}, [1, "a"], { a: 1 }, "1e17"];
const QUERY_NUMBERS = ["1e17", "-1", "1.5", "NaN", "Infinity", "-0", "0x10", "99999999999999999999", " 1", "1 ", ""];
const QUERY_WRONG = ["abc", "true", "null", "[]", "{}", "[object Object]", "undefined", "%", "a,b"];
const SEGMENTS = [
  "%2e%2e",
  "..",
  ".",
  "%2e",
  "..%2F..%2Fidentity%2Fusers",
  "%2F",
  "%5C",
  "%00",
  "%0A",
  "%C0%AF",
  "%E2%80%AE",
  "%ZZ",
  "%",
  "%252e%252e",
  "%u002e",
  "foo;bar",
  "x.",
  "%EF%BC%A1",
  "'%20OR%201=1--",
  "%3Cscript%3E",
  "null",
  "undefined",
  "__proto__",
  "constructor",
  "-1",
  "0",
  "1e17",
  "NaN",
  "00000000-0000-0000-0000-000000000000",
  "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
  "{00000000-0000-0000-0000-000000000000}",
  "00000000000000000000000000000000",
  "00000000-0000-0000-0000-00000000000g",
];
const INVALID_JSON = [
  "{",
  "{not json",
  '{"a":}',
  "[1,]",
  "nul",
  "'single'",
  '{"a":1}}',
  "\u0000",
  '{"a":NaN}',
  '{"a":undefined}',
  '{"a":1,}',
  "\ufeff{}",
  '{"a":"\\ud800"',
  "\x7b\x22",
];
const CONTENT_TYPES = [
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=fuzz",
  "application/xml",
  "application/json; charset=utf-16",
  "application/jsonx",
  "",
];

type Mutation = { kind: string; apply: (c: FuzzCase, op: Operation) => FuzzCase };
const mutation = (kind: string, apply: Mutation["apply"]): Mutation => ({ kind, apply });

/** The paths of the values inside a JSON value, down to `depth` (the root excluded). */
function pathsIn(value: unknown, depth = 3, prefix: (string | number)[] = []): (string | number)[][] {
  if (depth === 0 || !value || typeof value !== "object") return [];
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value as object);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...pathsIn(v, depth - 1, [...prefix, k])]);
}

function setAt(root: unknown, path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(root);
  let node: any = copy;
  for (const k of path.slice(0, -1)) node = node[k];
  node[path[path.length - 1]!] = value;
  return copy;
}

function deleteAt(root: unknown, path: (string | number)[]): unknown {
  const copy = structuredClone(root);
  let node: any = copy;
  for (const k of path.slice(0, -1)) node = node[k];
  if (Array.isArray(node)) node.splice(Number(path[path.length - 1]), 1);
  else delete node[path[path.length - 1]!];
  return copy;
}

/** The draft's body as a JSON value, when it has one. */
const jsonOf = (c: FuzzCase): unknown => (c.body && "json" in c.body ? c.body.json : undefined);
const pick = <T>(items: readonly T[], index: number): T => items[index % items.length]!;

/** `value` with the value at one of its paths replaced by a literal JSON text. */
function withRawValue(value: unknown, path: (string | number)[], raw: string): string {
  const marker = "\u0001fuzz-raw\u0001";
  return JSON.stringify(setAt(value, path, marker)).replace(JSON.stringify(marker), raw);
}

function bodyMutations(op: Operation): fc.Arbitrary<Mutation>[] {
  if (!op.body) {
    if (op.method === "GET") return [];
    // An action without a body, sent one anyway.
    return [
      fc
        .constantFrom<BodyDraft>(
          { json: { unexpected: true } },
          { text: "{not json" },
          { text: "hello", contentType: "text/plain" },
        )
        .map((body) => mutation("body:unexpected", (c) => ({ ...c, body }))),
    ];
  }
  const atPath = (kind: string, make: (value: unknown, path: (string | number)[]) => BodyDraft, index: number) =>
    mutation(kind, (c) => {
      const value = jsonOf(c);
      const paths = pathsIn(value);
      if (paths.length === 0) return { ...c, kind: `${kind}(root)`, body: make(value, []) };
      const path = pick(paths, index);
      return { ...c, kind: `${kind}(${path.join(".")})`, body: make(value, path) };
    });
  const rootOr = (value: unknown, path: (string | number)[], replacement: unknown) =>
    path.length === 0 ? replacement : setAt(value, path, replacement);
  return [
    fc.nat().map((i) =>
      mutation("body:missing-required", (c) => {
        const value = jsonOf(c);
        const required = ((op.body!.schema.required ?? []) as string[]).filter(
          (k) => value && typeof value === "object" && k in (value as object),
        );
        if (required.length === 0) return { ...c, kind: "body:empty-object", body: { json: {} } };
        const key = pick(required, i);
        return { ...c, kind: `body:missing-required(${key})`, body: { json: deleteAt(value, [key]) } };
      }),
    ),
    fc
      .tuple(
        fc.nat(),
        fc.stringMatching(/^[a-zA-Z_$][\w$]{0,20}$/),
        fc.constantFrom<unknown>(1, "x", true, null, { a: 1 }),
      )
      .map(([i, key, extra]) =>
        atPath(
          "body:extra-field",
          (value, path) => {
            // Into the root object, or into the object a path leads to.
            const target = path.length > 1 ? path.slice(0, -1) : [];
            const holder: any = target.length === 0 ? value : target.reduce((n: any, k) => n?.[k], value);
            if (!holder || typeof holder !== "object" || Array.isArray(holder)) {
              return { json: { ...(value as object), [`fuzz_${key}`]: extra } };
            }
            return {
              json:
                target.length === 0
                  ? { ...holder, [`fuzz_${key}`]: extra }
                  : setAt(value, [...target, `fuzz_${key}`], extra),
            };
          },
          i,
        ),
      ),
    fc
      .tuple(fc.nat(), fc.constantFrom(...WRONG_TYPES))
      .map(([i, wrong]) => atPath("body:wrong-type", (v, p) => ({ json: rootOr(v, p, wrong) }), i)),
    fc
      .tuple(fc.nat(), fc.constantFrom("a", "é", "\u{1F600}", "'", '"', "<", "\u0000", "\\"))
      .map(([i, ch]) =>
        atPath("body:huge-string", (v, p) => ({ json: rootOr(v, p, ch.repeat(Math.ceil(HUGE / ch.length))) }), i),
      ),
    fc
      .tuple(fc.nat(), fc.constantFrom(...EDGE_NUMBERS))
      .map(([i, n]) => atPath("body:huge-number", (v, p) => ({ json: rootOr(v, p, n) }), i)),
    fc
      .tuple(fc.nat(), fc.constantFrom(...RAW_NUMBERS))
      .map(([i, raw]) =>
        atPath("body:raw-number", (v, p) => ({ text: p.length === 0 ? raw : withRawValue(v, p, raw) }), i),
      ),
    fc.tuple(fc.nat(), fc.constantFrom(64, 5000), fc.boolean()).map(([i, depth, arrays]) =>
      atPath(
        "body:nested-junk",
        (v, p) => {
          const deep = arrays ? "[".repeat(depth) + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
          return { text: p.length === 0 ? deep : withRawValue(v, p, deep) };
        },
        i,
      ),
    ),
    fc
      .tuple(fc.nat(), fc.jsonValue({ maxDepth: 4 }))
      .map(([i, junk]) => atPath("body:junk", (v, p) => ({ json: rootOr(v, p, junk) }), i)),
    fc.constantFrom(...INVALID_JSON).map((text) => mutation("body:invalid-json", (c) => ({ ...c, body: { text } }))),
    fc.constantFrom(...CONTENT_TYPES).map((contentType) =>
      mutation("body:content-type", (c) => ({
        ...c,
        kind: `body:content-type(${contentType || "empty"})`,
        body: { text: JSON.stringify(jsonOf(c) ?? {}), contentType },
      })),
    ),
    fc.constantFrom("__proto__", "constructor").map((key) =>
      mutation("body:prototype", (c) => {
        const value = { ...(jsonOf(c) as object) };
        const poison = key === "__proto__" ? '{"isAdmin":true,"role":"admin"}' : '{"prototype":{"isAdmin":true}}';
        const text = JSON.stringify(value).replace(/^\{/, `{"${key}":${poison}${Object.keys(value).length ? "," : ""}`);
        return { ...c, kind: `body:prototype(${key})`, body: { text }, verdict: "invalid" };
      }),
    ),
    fc
      .constantFrom<BodyDraft | undefined>(
        undefined,
        { text: "" },
        { json: null },
        { json: [] },
        { json: "x" },
        { json: 1 },
      )
      .map((body) =>
        mutation("body:root", (c) => ({ ...c, kind: `body:root(${JSON.stringify(body ?? "none")})`, body })),
      ),
    fc
      .nat()
      .map((i) =>
        mutation("body:array-root", (c) => ({ ...c, body: { json: i % 2 ? [jsonOf(c)] : [jsonOf(c), jsonOf(c)] } })),
      ),
  ];
}

function segmentArb(): fc.Arbitrary<{ kind: string; segment: string }> {
  return fc.oneof(
    fc.uuid().map((u) => ({ kind: "path:random-uuid", segment: u })),
    fc.string({ maxLength: 40 }).map((s) => ({ kind: "path:garbage", segment: encodeURIComponent(s) })),
    fc.string({ minLength: 1, maxLength: 20, unit: "grapheme" }).map((s) => ({
      kind: "path:unicode",
      segment: encodeURIComponent(s),
    })),
    fc.constantFrom(...SEGMENTS).map((s) => ({ kind: "path:encoded", segment: s })),
    fc.constantFrom(101, 1000, 5000).map((n) => ({ kind: `path:long(${n})`, segment: "a".repeat(n) })),
  );
}

function pathMutations(op: Operation): fc.Arbitrary<Mutation>[] {
  const names = op.params.filter((p) => p.in === "path").map((p) => p.name);
  if (names.length === 0) return [];
  return [
    fc
      .tuple(fc.constantFrom(...names), segmentArb())
      .map(([name, { kind, segment }]) =>
        mutation(kind, (c) => ({ ...c, kind: `${kind}(${name})`, path: { ...c.path, [name]: segment } })),
      ),
  ];
}

function queryMutations(op: Operation): fc.Arbitrary<Mutation>[] {
  const params = op.params.filter((p) => p.in === "query");
  const entriesOf = (c: FuzzCase): [string, string][] => (Array.isArray(c.query) ? c.query : []);
  const replace = (c: FuzzCase, name: string, values: string[]): [string, string][] => [
    ...entriesOf(c).filter(([k]) => k !== name),
    ...values.map((v): [string, string] => [name, v]),
  ];
  const anyQuery: fc.Arbitrary<Mutation>[] = [
    fc
      .tuple(fc.stringMatching(/^[a-zA-Z][\w.[\]]{0,15}$/), fc.string({ maxLength: 20 }))
      .map(([k, v]) => mutation("query:unknown", (c) => ({ ...c, query: [...entriesOf(c), [k, v]] }))),
    fc
      .constantFrom(
        "%",
        "%zz",
        "a[b]=c",
        "a[__proto__][x]=1",
        "__proto__[x]=1",
        "constructor[prototype][x]=1",
        "&&&=",
        "a=%00",
        "=x",
      )
      .map((raw) =>
        mutation("query:raw", (c) => ({ ...c, kind: `query:raw(${raw})`, query: { raw }, verdict: "unjudged" })),
      ),
  ];
  if (params.length === 0) return anyQuery;
  const names = params.map((p) => p.name);
  const at = (kind: string, values: fc.Arbitrary<string[]>) =>
    fc
      .tuple(fc.constantFrom(...names), values)
      .map(([name, v]) => mutation(kind, (c) => ({ ...c, kind: `${kind}(${name})`, query: replace(c, name, v) })));
  return [
    ...anyQuery,
    at(
      "query:wrong-type",
      fc.constantFrom(...QUERY_WRONG).map((v) => [v]),
    ),
    at(
      "query:number-edge",
      fc.constantFrom(...QUERY_NUMBERS).map((v) => [v]),
    ),
    // 20 000: past what the HTTP parser takes in a request line (431).
    at(
      "query:huge-string",
      fc.constantFrom(2_000, 8_000, 20_000).map((n) => ["q".repeat(n)]),
    ),
    at(
      "query:unicode",
      fc.string({ minLength: 1, maxLength: 30, unit: "grapheme" }).map((v) => [v]),
    ),
    at(
      "query:control",
      fc.string({ minLength: 1, maxLength: 30, unit: "binary-ascii" }).map((v) => [v]),
    ),
    at("query:array", fc.array(fc.constantFrom("1", "2", "abc", ""), { minLength: 2, maxLength: 3 })),
    at("query:missing", fc.constant([])),
  ];
}

function headerMutations(op: Operation): fc.Arbitrary<Mutation>[] {
  const names = op.params.filter((p) => p.in === "header").map((p) => p.name);
  if (names.length === 0) return [];
  const values = fc.oneof(
    fc.constant(""),
    fc.constantFrom(201, 2_000).map((n) => "k".repeat(n)),
    fc.string({ minLength: 1, maxLength: 40 }).map(headerValue),
    fc.constantFrom("null", "-1", "1e17", "' OR 1=1 --", "../../etc/passwd", "%00"),
  );
  return [
    fc
      .tuple(fc.constantFrom(...names), values)
      .map(([name, value]) =>
        mutation("header", (c) => ({ ...c, kind: `header(${name})`, headers: { ...c.headers, [name]: value } })),
      ),
  ];
}

// ---------------------------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------------------------

export interface CaseContext extends ValueContext {
  /** The path parameter values that name real objects (ids the platform answered with). */
  pathIds(op: Operation, param: Parameter): string[];
  /** A secret that goes with an id in a header (a guest cart's X-Cart-Token). */
  headerFor(op: Operation, param: Parameter, path: Record<string, string>): string | undefined;
}

/** What HTTP lets a header carry (clients refuse to send the rest): visible ASCII and inner spaces. */
const headerValue = (v: string) => v.replace(/[^\x21-\x7e ]/g, "?").trim() || "x";

function validCase(op: Operation, ctx: CaseContext): fc.Arbitrary<FuzzCase> {
  const pathParams = op.params.filter((p) => p.in === "path");
  const queryParams = op.params.filter((p) => p.in === "query");
  const headerParams = op.params.filter((p) => p.in === "header");
  const path = fc.record(
    Object.fromEntries(
      pathParams.map((p) => {
        const known = ctx.pathIds(op, p);
        const value = valueArb(p.schema, ctx, p.name).map((v) => encodeURIComponent(String(v)));
        return [
          p.name,
          known.length > 0 ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...known) }, value) : value,
        ];
      }),
    ),
  ) as fc.Arbitrary<Record<string, string>>;
  const query = fc
    .tuple(
      ...queryParams.map((p) =>
        fc.option(
          valueArb(p.schema, ctx, p.name).map((v) => [p.name, String(v)] as [string, string]),
          { nil: undefined, freq: p.required && p.schema.default === undefined ? 1_000_000 : 2 },
        ),
      ),
    )
    .map((entries) => entries.filter((e): e is [string, string] => e !== undefined));
  const headers = fc.tuple(
    ...headerParams.map((p) =>
      fc.option(
        valueArb(p.schema, ctx, p.name).map((v) => [p.name, headerValue(String(v))] as [string, string]),
        {
          nil: undefined,
          freq: p.required ? 1_000_000 : 3,
        },
      ),
    ),
  );
  const body = op.body
    ? valueArb(op.body.schema, ctx, undefined).map((json): BodyDraft => ({ json }))
    : fc.constant(undefined);
  return fc.tuple(path, query, headers, body).map(([p, q, h, b]) => {
    const headerValues = Object.fromEntries(h.filter((e): e is [string, string] => e !== undefined));
    for (const param of headerParams) {
      const secret = ctx.headerFor(op, param, p);
      if (secret) headerValues[param.name] = secret;
    }
    return { kind: "valid", path: p, query: q, headers: headerValues, ...(b ? { body: b } : {}) };
  });
}

/** A valid-looking request, then (most of the time) one mutation of it. */
export function caseArb(op: Operation, ctx: CaseContext): fc.Arbitrary<FuzzCase> {
  const mutations = [...pathMutations(op), ...queryMutations(op), ...headerMutations(op), ...bodyMutations(op)];
  const noMutation = fc.constant(mutation("valid", (c) => c));
  const chosen = fc.oneof(
    { weight: 1, arbitrary: noMutation },
    { weight: 2, arbitrary: fc.oneof(...mutations) as fc.Arbitrary<Mutation> },
  );
  return fc.tuple(validCase(op, ctx), chosen).map(([c, m]) => {
    const mutated = m.apply(c, op);
    return { ...mutated, kind: mutated.kind === c.kind ? m.kind : mutated.kind };
  });
}

// ---------------------------------------------------------------------------------------------
// The URL, and the verdict
// ---------------------------------------------------------------------------------------------

export function urlOf(op: Operation, c: FuzzCase): string {
  const path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => c.path[name] ?? "");
  const query = Array.isArray(c.query)
    ? c.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&")
    : c.query.raw;
  return query ? `${path}?${query}` : path;
}

const safeDecode = (s: string): string | undefined => {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
};

/** A JSON text with a key that Fastify's parser refuses (prototype poisoning). */
function poisoned(text: string): boolean {
  return /"(__proto__|constructor)"\s*:/.test(text);
}

export type Verdict = { verdict: "valid" } | { verdict: "invalid"; why: string } | { verdict: "unjudged"; why: string };

/**
 * Whether the request, as the service will see it, conforms to the document: `invalid` must not be
 * answered 2xx. Unjudged: the gateway rewrites the request's shape first (a dot segment or a `;`
 * climbs or trims the path, so another route answers), or the query is raw.
 */
export function judge(op: Operation, c: FuzzCase): Verdict {
  if (c.verdict === "unjudged") return { verdict: "unjudged", why: "raw query" };
  if (c.verdict === "invalid") return { verdict: "invalid", why: c.kind };
  const path: Record<string, string> = {};
  for (const [name, raw] of Object.entries(c.path)) {
    if (raw.includes("/") || raw.includes(";")) return { verdict: "unjudged", why: "the path's shape changes" };
    const decoded = safeDecode(raw);
    if (decoded === undefined) return { verdict: "invalid", why: `path ${name}: not a valid percent-encoding` };
    if (decoded === "" || decoded === "." || decoded === ".." || decoded.includes("/")) {
      return { verdict: "unjudged", why: "the path's shape changes" };
    }
    path[name] = decoded;
  }
  const pathError = op.check.path(path);
  if (pathError) return { verdict: "invalid", why: `path ${pathError}` };
  if (Array.isArray(c.query)) {
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of c.query) {
      const prior = query[k];
      query[k] = prior === undefined ? v : Array.isArray(prior) ? [...prior, v] : [prior, v];
    }
    const queryError = op.check.query(query);
    if (queryError) return { verdict: "invalid", why: `query ${queryError}` };
  }
  const headerError = op.check.headers(c.headers);
  if (headerError) return { verdict: "invalid", why: `header ${headerError}` };
  return judgeBody(op, c.body);
}

function judgeBody(op: Operation, body: BodyDraft | undefined): Verdict {
  let value: unknown;
  if (body === undefined || ("text" in body && body.text === "" && body.contentType === undefined)) {
    value = undefined;
  } else if ("json" in body) {
    value = body.json;
  } else {
    const contentType = body.contentType ?? "application/json";
    // A charset other than UTF-8 is not looked at (the text is ASCII either way).
    if (/^application\/json\s*;\s*charset=/i.test(contentType) && !/charset=utf-8/i.test(contentType)) {
      return unjudged("charset");
    }
    if (!/^application\/json\s*(;|$)/i.test(contentType)) {
      // Not JSON: refused where a JSON body is expected, ignored (or refused) elsewhere.
      return op.body ? { verdict: "invalid", why: `content-type ${contentType || "(empty)"}` } : unjudged("not JSON");
    }
    if (poisoned(body.text)) return { verdict: "invalid", why: "prototype poisoning" };
    try {
      // Fastify's parser (secure-json-parse) skips a leading byte order mark, as RFC 8259 allows.
      value = JSON.parse(body.text.replace(/^\ufeff/, ""));
    } catch {
      return { verdict: "invalid", why: "not JSON" };
    }
  }
  if (!op.body) return { verdict: "valid" };
  if (value === undefined || value === null) {
    // An optional body (Type.Optional: `…/cancel` with or without a reason) is documented as
    // required; the services accept no body where `{}` would do.
    const error = op.body.required ? op.check.body({}) : undefined;
    return error ? { verdict: "invalid", why: "no body" } : { verdict: "valid" };
  }
  const error = op.check.body(value);
  return error ? { verdict: "invalid", why: `body ${error}` } : { verdict: "valid" };
}

const unjudged = (why: string): Verdict => ({ verdict: "unjudged", why });
