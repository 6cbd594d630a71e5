// What a new version of a public OpenAPI document breaks for a client written against the old one:
// removed operations (and 2xx answers), removed or retyped response fields, retyped request fields
// and parameters, and what a request must now send that it did not (a required field, parameter or
// body). Used by `npm run openapi:check` (scripts/openapi.mjs) to print a summary: a list to read,
// never a reason to fail.
//
// Fields are named by their path in the JSON body: `items[].price.amount`, `(body)` for the whole.
// A field under a removed field is not listed again. Types are compared by their JSON type
// (`integer`, `string|null`, `object`…): a new constraint, enum value or format is not a retyping.

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const ROOT = "";
/** Deeper than this, a schema is not walked (recursive schemas, say a category tree, stop earlier). */
const MAX_DEPTH = 12;

/** The schema a `$ref` (`#/components/schemas/X`) points at, followed until it is not a reference. */
function resolverOf(document) {
  return (schema) => {
    let current = schema;
    const seen = new Set();
    while (current && typeof current.$ref === "string" && !seen.has(current.$ref)) {
      seen.add(current.$ref);
      let target = document;
      for (const part of current.$ref.replace(/^#\//, "").split("/")) {
        target = target?.[part.replaceAll("~1", "/").replaceAll("~0", "~")];
      }
      current = target;
    }
    return current && typeof current === "object" ? current : {};
  };
}

const variantsOf = (schema) => [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])];

/** A schema's JSON type(s): `string`, `integer|null`, `array`, `object`, or `any` when unconstrained. */
function typeOf(schema, resolve) {
  const s = resolve(schema);
  if (Array.isArray(s.type)) return [...new Set(s.type)].sort().join("|");
  if (typeof s.type === "string") return s.type;
  if (s.const !== undefined) return s.const === null ? "null" : Array.isArray(s.const) ? "array" : typeof s.const;
  const variants = variantsOf(s);
  if (variants.length > 0) {
    const types = new Set(variants.flatMap((v) => typeOf(v, resolve).split("|")));
    return [...types].sort().join("|");
  }
  if (Array.isArray(s.allOf) && s.allOf.length > 0) {
    const types = s.allOf.map((v) => typeOf(v, resolve)).filter((t) => t !== "any");
    return types.length === 0 ? "any" : types.length === 1 ? types[0] : "object";
  }
  if (s.properties) return "object";
  if (s.items) return "array";
  return "any";
}

/**
 * Every field a schema describes, by path: `{ type, required }` (required: its object lists it).
 * Union variants (anyOf, oneOf) and allOf parts add their fields to the same paths.
 */
function fieldsOf(schema, resolve) {
  const fields = new Map([[ROOT, { type: typeOf(schema, resolve), required: true }]]);
  const walk = (node, path, depth, refs) => {
    if (!node || typeof node !== "object" || depth > MAX_DEPTH) return;
    if (typeof node.$ref === "string") {
      if (refs.has(node.$ref)) return;
      refs = new Set(refs).add(node.$ref);
    }
    const s = resolve(node);
    const required = new Set(Array.isArray(s.required) ? s.required : []);
    for (const [name, property] of Object.entries(s.properties ?? {})) {
      const at = path === ROOT ? name : `${path}.${name}`;
      const known = fields.get(at);
      const field = { type: typeOf(property, resolve), required: required.has(name) };
      if (known) {
        // The same field in two variants: every type it may have, required if any variant requires it.
        const types = new Set([...known.type.split("|"), ...field.type.split("|")]);
        fields.set(at, { type: [...types].sort().join("|"), required: known.required || field.required });
      } else {
        fields.set(at, field);
      }
      walk(property, at, depth + 1, refs);
    }
    if (s.items && typeof s.items === "object" && !Array.isArray(s.items)) {
      const at = `${path}[]`;
      if (!fields.has(at)) fields.set(at, { type: typeOf(s.items, resolve), required: true });
      walk(s.items, at, depth + 1, refs);
    }
    for (const part of [...variantsOf(s), ...(s.allOf ?? [])]) walk(part, path, depth + 1, refs);
  };
  walk(schema, ROOT, 0, new Set());
  return fields;
}

/** `a.b` → `a`, `a[]` → `a`, `a[].b` → `a[]`, `a` → the root. */
function parentOf(path) {
  const dot = path.lastIndexOf(".");
  if (path.endsWith("[]")) return path.slice(0, -2);
  return dot === -1 ? ROOT : path.slice(0, dot);
}

const fieldName = (path) => (path === ROOT ? "(body)" : path);
const isJson = (mediaType) => /^application\/([\w.+-]+\+)?json\b/.test(mediaType);

/** The JSON media types of a content map and their schemas. */
function jsonContents(content) {
  return Object.entries(content ?? {}).filter(([mediaType, value]) => isJson(mediaType) && value?.schema);
}

function operationsOf(document) {
  const operations = new Map();
  for (const [path, item] of Object.entries(document?.paths ?? {})) {
    for (const method of METHODS) {
      if (item?.[method]) operations.set(`${method.toUpperCase()} ${path}`, { item, operation: item[method] });
    }
  }
  return operations;
}

/** An operation's parameters (its own and its path item's), by `<in>.<name>`. */
function parametersOf({ item, operation }, resolve) {
  const parameters = new Map();
  for (const parameter of [...(item.parameters ?? []), ...(operation.parameters ?? [])].map(resolve)) {
    if (typeof parameter.name !== "string") continue;
    parameters.set(`${parameter.in}.${parameter.name}`, {
      type: parameter.schema ? typeOf(parameter.schema, resolve) : "any",
      required: parameter.required === true || parameter.in === "path",
    });
  }
  return parameters;
}

/**
 * The lines describing what `after` breaks for a client of `before` (both OpenAPI 3 documents of
 * one service), in a stable order; none when nothing breaks.
 */
export function breakingChanges(before, after) {
  const lines = [];
  const resolveBefore = resolverOf(before);
  const resolveAfter = resolverOf(after);
  const newOperations = operationsOf(after);

  for (const [name, old] of operationsOf(before)) {
    const now = newOperations.get(name);
    if (!now) {
      lines.push(`removed operation ${name}`);
      continue;
    }

    // Answers: a success answer gone, its fields gone or retyped.
    for (const [status, response] of Object.entries(old.operation.responses ?? {})) {
      const newResponse = now.operation.responses?.[status];
      if (!newResponse) {
        if (/^2/.test(status)) lines.push(`removed response ${name} ${status}`);
        continue;
      }
      const newContent = resolveAfter(newResponse).content ?? {};
      for (const [mediaType, media] of jsonContents(resolveBefore(response).content)) {
        const newMedia = newContent[mediaType];
        if (!newMedia?.schema) {
          lines.push(`removed response ${name} ${status} ${mediaType}`);
          continue;
        }
        const oldFields = fieldsOf(media.schema, resolveBefore);
        const newFields = fieldsOf(newMedia.schema, resolveAfter);
        for (const [path, field] of oldFields) {
          const newField = newFields.get(path);
          if (!newField) {
            if (newFields.has(parentOf(path))) lines.push(`removed response field ${name} ${status}: ${path}`);
          } else if (newField.type !== field.type) {
            lines.push(
              `retyped response field ${name} ${status}: ${fieldName(path)} (${field.type} → ${newField.type})`,
            );
          }
        }
      }
    }

    // Requests: what must now be sent, and what is sent with another type.
    const oldBody = old.operation.requestBody ? resolveBefore(old.operation.requestBody) : undefined;
    const newBody = now.operation.requestBody ? resolveAfter(now.operation.requestBody) : undefined;
    if (newBody?.required && !oldBody?.required) lines.push(`new required request body ${name}`);
    for (const [mediaType, media] of jsonContents(newBody?.content)) {
      const oldMedia = oldBody?.content?.[mediaType];
      if (!oldMedia?.schema) continue;
      const oldFields = fieldsOf(oldMedia.schema, resolveBefore);
      for (const [path, field] of fieldsOf(media.schema, resolveAfter)) {
        const oldField = oldFields.get(path);
        if (oldField && oldField.type !== field.type) {
          lines.push(`retyped request field ${name}: ${fieldName(path)} (${oldField.type} → ${field.type})`);
        }
        // A required field under a new optional object asks nothing of a client that leaves it out.
        if (path !== ROOT && field.required && !oldField?.required && oldFields.has(parentOf(path))) {
          lines.push(`new required request field ${name}: ${path}`);
        }
      }
    }
    const oldParameters = parametersOf(old, resolveBefore);
    for (const [key, parameter] of parametersOf(now, resolveAfter)) {
      const oldParameter = oldParameters.get(key);
      if (oldParameter && oldParameter.type !== parameter.type) {
        lines.push(`retyped parameter ${name}: ${key} (${oldParameter.type} → ${parameter.type})`);
      }
      if (parameter.required && !oldParameter?.required) lines.push(`new required parameter ${name}: ${key}`);
    }
  }
  return lines;
}
