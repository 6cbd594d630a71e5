#!/usr/bin/env node
// Renders the Kubernetes overlays of deploy/k8s (`kubectl kustomize`) and checks every document:
//   - against the Kubernetes schemas, offline: kubernetes-models' validators (types, required fields,
//     enums, formats), plus unknown fields, as kubeconform -strict does, read from kubernetes-models'
//     type declarations (a typo'd field is otherwise silently dropped by the API server);
//   - against Comptoir's rules: every container non-root, no privilege escalation, read-only root
//     filesystem, capabilities dropped, RuntimeDefault seccomp, resources; every Deployment with
//     startup, liveness and readiness probes and a preStop pause; no Secret with data (secrets are
//     created from the operator's own file); no Service exposed outside the cluster; one Ingress, to
//     the gateway only; a default-deny NetworkPolicy; every ConfigMap referenced is rendered.
// First it proves that those checks catch broken manifests (the self-test); `--self-test` runs only that.
// Usage: node scripts/check-k8s.mjs [--self-test] [overlay ...]   (default: small production)
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const root = fileURLToPath(new URL("..", import.meta.url));
const modelsDir = dirname(fileURLToPath(import.meta.resolve("kubernetes-models")));

// ---------------------------------------------------------------------------------------------------
// Schemas: kubernetes-models' classes validate; their .d.ts files list each object's fields.

/** `kind/name` of a document, for messages. */
const label = (doc) => `${doc?.kind ?? "?"}/${doc?.metadata?.name ?? "?"}`;

async function modelOf(apiVersion, kind) {
  try {
    const module = await import(`kubernetes-models/${apiVersion}/${kind}`);
    return module[kind];
  } catch {
    return undefined;
  }
}

const declarations = new Map();

/** One .d.ts file: what it imports (name → file) and its interfaces (name → field → type text). */
function declarationsOf(file) {
  let parsed = declarations.get(file);
  if (parsed) return parsed;
  parsed = { file, imports: new Map(), interfaces: new Map(), first: undefined };
  const lines = readFileSync(file, "utf8").split("\n");
  let current;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const imported = /^import \{ (\w+) \} from "([^"]+)";/.exec(line);
    if (imported) {
      const target = resolveDeclaration(dirname(file), imported[2]);
      if (target) parsed.imports.set(imported[1], target);
      continue;
    }
    const start = /^export interface (\w+)/.exec(line);
    if (start) {
      current = new Map();
      parsed.interfaces.set(start[1], current);
      parsed.first ??= start[1];
      continue;
    }
    if (!current) continue;
    if (line.startsWith("}")) {
      current = undefined;
      continue;
    }
    const field = /^ {4}"([^"]+)"\??: (.*)$/.exec(line);
    if (!field) continue;
    let type = field[2];
    // A map spans lines: `"labels"?: {` … `[key: string]: string;` … `};`
    if (type.endsWith("{")) {
      while (++i < lines.length) {
        type += ` ${lines[i].trim()}`;
        if (/^ {4}}/.test(lines[i])) break;
      }
    }
    current.set(field[1], type.replace(/;$/, "").trim());
  }
  declarations.set(file, parsed);
  return parsed;
}

function resolveDeclaration(fromDir, specifier) {
  const bare = specifier.replace(/\.js$/, "");
  const candidates = specifier.startsWith(".")
    ? [join(fromDir, `${bare}.d.ts`)]
    : [join(modelsDir, "node_modules", `${bare}.d.ts`), join(modelsDir, "..", `${bare}.d.ts`)];
  return candidates.find((candidate) => existsSync(candidate));
}

/** What a type text describes: an object with known fields, an array, a map, or a leaf. */
function shapeOf(type, context) {
  const array = /^Array<(.*)>$/s.exec(type);
  if (array) return { array: shapeOf(array[1].trim(), context) };
  const map = /^\{\s*\[key: string\]: (.*?);?\s*\}$/s.exec(type);
  if (map) return { map: shapeOf(map[1].trim(), context) };
  if (context.interfaces.has(type)) return { fields: context.interfaces.get(type), context };
  const file = context.imports.get(type);
  if (file) {
    const target = declarationsOf(file);
    if (target.first) return { fields: target.interfaces.get(target.first), context: target };
  }
  return {};
}

function unknownFields(value, shape, path, errors) {
  if (value === null || typeof value !== "object") return;
  if (shape.array && Array.isArray(value)) {
    value.forEach((item, i) => unknownFields(item, shape.array, `${path}[${i}]`, errors));
  } else if (shape.map) {
    for (const [key, item] of Object.entries(value)) unknownFields(item, shape.map, `${path}.${key}`, errors);
  } else if (shape.fields && !Array.isArray(value)) {
    for (const [key, item] of Object.entries(value)) {
      const type = shape.fields.get(key);
      if (type === undefined) errors.push(`${path ? `${path}.` : ""}${key}: unknown field`);
      else unknownFields(item, shapeOf(type, shape.context), `${path ? `${path}.` : ""}${key}`, errors);
    }
  }
}

async function schemaErrors(doc) {
  if (!doc || typeof doc !== "object" || !doc.apiVersion || !doc.kind) return ["no apiVersion or kind"];
  const Model = await modelOf(doc.apiVersion, doc.kind);
  const file = join(modelsDir, doc.apiVersion, `${doc.kind}.d.ts`);
  if (!Model || !existsSync(file)) return [`no schema for ${doc.apiVersion} ${doc.kind}`];
  const errors = [];
  try {
    new Model(structuredClone(doc)).validate();
  } catch (error) {
    errors.push(`schema: ${error.message}`);
  }
  const context = declarationsOf(file);
  unknownFields(doc, { fields: context.interfaces.get(context.first), context }, "", errors);
  return errors;
}

// ---------------------------------------------------------------------------------------------------
// Comptoir's rules.

const podSpecOf = (doc) => (doc.kind === "Pod" ? doc.spec : doc.spec?.template?.spec);

function containerErrors(pod, container, kind) {
  const errors = [];
  const at = `container ${container.name}`;
  const sc = container.securityContext ?? {};
  const podSc = pod.securityContext ?? {};
  if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) errors.push(`${at}: runAsNonRoot must be true`);
  const user = sc.runAsUser ?? podSc.runAsUser;
  if (user === undefined || user === 0) errors.push(`${at}: runAsUser must be set and not 0`);
  if (sc.allowPrivilegeEscalation !== false) errors.push(`${at}: allowPrivilegeEscalation must be false`);
  if (sc.privileged === true) errors.push(`${at}: privileged`);
  if (sc.readOnlyRootFilesystem !== true) errors.push(`${at}: readOnlyRootFilesystem must be true`);
  if (!(sc.capabilities?.drop ?? []).includes("ALL")) errors.push(`${at}: capabilities must drop ALL`);
  if ((sc.seccompProfile ?? podSc.seccompProfile)?.type !== "RuntimeDefault")
    errors.push(`${at}: seccompProfile must be RuntimeDefault`);
  for (const key of ["requests", "limits"])
    for (const resource of ["cpu", "memory"])
      if (container.resources?.[key]?.[resource] === undefined) errors.push(`${at}: no ${key}.${resource}`);
  if (kind === "Deployment") {
    for (const probe of ["startupProbe", "livenessProbe", "readinessProbe"])
      if (!container[probe]) errors.push(`${at}: no ${probe}`);
    const preStop = container.lifecycle?.preStop;
    if (!preStop) errors.push(`${at}: no preStop pause (lifecycle.preStop) to drain in-flight requests`);
    const pause = preStop?.sleep?.seconds ?? 0;
    if ((pod.terminationGracePeriodSeconds ?? 30) <= pause)
      errors.push(`${at}: terminationGracePeriodSeconds must exceed the preStop pause`);
  }
  return errors;
}

function ruleErrors(doc, all) {
  const errors = [];
  const pod = ["Deployment", "StatefulSet", "DaemonSet", "Job", "Pod"].includes(doc.kind) ? podSpecOf(doc) : undefined;
  if (pod) {
    if (pod.hostNetwork || pod.hostPID || pod.hostIPC) errors.push("shares the host's namespaces");
    if (pod.automountServiceAccountToken !== false) errors.push("automountServiceAccountToken must be false");
    for (const container of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
      errors.push(...containerErrors(pod, container, doc.kind));
      const configMaps = [
        ...(container.envFrom ?? []).map((source) => source.configMapRef?.name),
        ...(container.env ?? []).map((variable) => variable.valueFrom?.configMapKeyRef?.name),
      ];
      for (const name of configMaps.filter(Boolean))
        if (!all.some((other) => other.kind === "ConfigMap" && other.metadata?.name === name))
          errors.push(`container ${container.name}: ConfigMap ${name} is not in the manifests`);
    }
  }
  if (doc.kind === "Secret" && (Object.keys(doc.data ?? {}).length > 0 || Object.keys(doc.stringData ?? {}).length > 0))
    errors.push("a Secret with data in the manifests: create it from your own file (deploy/README.md)");
  if (doc.kind === "Service" && ["NodePort", "LoadBalancer"].includes(doc.spec?.type))
    errors.push(`type ${doc.spec.type}: only the gateway is reachable from outside, through the Ingress`);
  if (doc.kind === "Ingress") {
    const backends = [
      doc.spec?.defaultBackend,
      ...(doc.spec?.rules ?? []).flatMap((rule) => (rule.http?.paths ?? []).map((path) => path.backend)),
    ].filter(Boolean);
    if (backends.length === 0) errors.push("an Ingress with no backend");
    for (const backend of backends)
      if (backend.service?.name !== "gateway")
        errors.push(`routes to ${backend.service?.name ?? "a resource"}, not the gateway`);
  }
  return errors;
}

function setErrors(docs) {
  const errors = [];
  const denies = docs.some(
    (doc) =>
      doc.kind === "NetworkPolicy" &&
      Object.keys(doc.spec?.podSelector ?? { any: 1 }).length === 0 &&
      ["Ingress", "Egress"].every((type) => doc.spec?.policyTypes?.includes(type)) &&
      !doc.spec?.ingress &&
      !doc.spec?.egress,
  );
  if (!denies) errors.push("NetworkPolicy: no default-deny policy (empty podSelector, Ingress and Egress, no rule)");
  if (docs.filter((doc) => doc.kind === "Ingress").length > 1) errors.push("Ingress: more than one");
  const deployments = new Set(docs.filter((doc) => doc.kind === "Deployment").map((doc) => doc.metadata?.name));
  for (const doc of docs.filter((d) => d.kind === "HorizontalPodAutoscaler"))
    if (!deployments.has(doc.spec?.scaleTargetRef?.name))
      errors.push(`${label(doc)}: scales ${doc.spec?.scaleTargetRef?.name}, which is not a Deployment here`);
  return errors;
}

/** Every problem of a rendered set of documents, as `Kind/name: message`. */
export async function checkDocuments(docs) {
  const errors = [];
  for (const doc of docs) {
    for (const error of await schemaErrors(doc)) errors.push(`${label(doc)}: ${error}`);
    if (doc && typeof doc === "object")
      for (const error of ruleErrors(doc, docs)) errors.push(`${label(doc)}: ${error}`);
  }
  return [...errors, ...setErrors(docs)];
}

// ---------------------------------------------------------------------------------------------------
// The self-test: broken manifests each check must catch, and a sound one none may flag.

function soundSet() {
  const container = {
    name: "comptoir",
    image: "comptoir:latest",
    ports: [{ name: "http", containerPort: 3002 }],
    envFrom: [{ configMapRef: { name: "comptoir-common" } }],
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 10001,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    },
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    startupProbe: { httpGet: { path: "/health/live", port: "http" } },
    livenessProbe: { httpGet: { path: "/health/live", port: "http" } },
    readinessProbe: { httpGet: { path: "/health/ready", port: "http" } },
    lifecycle: { preStop: { sleep: { seconds: 5 } } },
  };
  const labels = { "app.kubernetes.io/name": "catalog" };
  return [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "catalog" },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { automountServiceAccountToken: false, terminationGracePeriodSeconds: 30, containers: [container] },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "catalog" },
      spec: { selector: labels, ports: [{ name: "http", port: 3002, targetPort: "http" }] },
    },
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "comptoir-common" }, data: { NODE_ENV: "production" } },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: "comptoir" },
      spec: {
        rules: [
          {
            host: "shop.example",
            http: {
              paths: [
                { path: "/", pathType: "Prefix", backend: { service: { name: "gateway", port: { name: "http" } } } },
              ],
            },
          },
        ],
      },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "default-deny" },
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    },
  ];
}

const container = (docs) => docs[0].spec.template.spec.containers[0];

/** [what is broken, how to break a sound set, the error expected]. */
const BROKEN = [
  [
    "runAsNonRoot false",
    (d) => (container(d).securityContext.runAsNonRoot = false),
    /Deployment\/catalog: .*runAsNonRoot/,
  ],
  ["running as root", (d) => (container(d).securityContext.runAsUser = 0), /runAsUser must be set and not 0/],
  [
    "privilege escalation",
    (d) => delete container(d).securityContext.allowPrivilegeEscalation,
    /allowPrivilegeEscalation/,
  ],
  ["a writable root", (d) => (container(d).securityContext.readOnlyRootFilesystem = false), /readOnlyRootFilesystem/],
  ["capabilities kept", (d) => delete container(d).securityContext.capabilities, /drop ALL/],
  [
    "no probes",
    (d) => ["startupProbe", "livenessProbe", "readinessProbe"].forEach((p) => delete container(d)[p]),
    /no startupProbe[\s\S]*no livenessProbe[\s\S]*no readinessProbe/,
  ],
  ["no preStop", (d) => delete container(d).lifecycle, /no preStop pause/],
  ["no resources", (d) => delete container(d).resources, /no limits\.memory/],
  [
    "a Service's typo'd field",
    (d) => (d[1].spec.selectr = d[1].spec.selector),
    /Service\/catalog: spec\.selectr: unknown field/,
  ],
  ["a port as a string", (d) => (d[1].spec.ports[0].port = "3002"), /Service\/catalog: schema: .*port must be integer/],
  [
    "a container's typo'd field",
    (d) => (container(d).readinesProbe = {}),
    /containers\[0\]\.readinesProbe: unknown field/,
  ],
  ["a missing required field", (d) => delete d[0].spec.selector, /Deployment\/catalog: schema: .*selector/],
  [
    "a Secret with data",
    (d) => d.push({ apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { K: "dg==" } }),
    /Secret\/s: a Secret with data/,
  ],
  [
    "an Ingress to another service",
    (d) => (d[3].spec.rules[0].http.paths[0].backend.service.name = "catalog"),
    /routes to catalog/,
  ],
  ["a LoadBalancer Service", (d) => (d[1].spec.type = "LoadBalancer"), /type LoadBalancer/],
  ["no default-deny", (d) => d.pop(), /no default-deny policy/],
  [
    "a ConfigMap that is not there",
    (d) => (container(d).envFrom[0].configMapRef.name = "comptoir-comon"),
    /ConfigMap comptoir-comon is not in the manifests/,
  ],
];

export async function selfTest() {
  const failures = [];
  const sound = await checkDocuments(soundSet());
  if (sound.length > 0) failures.push(`a sound set is flagged: ${sound.join("; ")}`);
  for (const [what, breakIt, expected] of BROKEN) {
    const docs = soundSet();
    breakIt(docs);
    const errors = await checkDocuments(docs);
    if (!expected.test(errors.join("\n")))
      failures.push(`${what}: not caught (got: ${errors.join("; ") || "nothing"})`);
  }
  return { count: BROKEN.length + 1, failures };
}

// ---------------------------------------------------------------------------------------------------

function render(overlay) {
  const dir = join(root, "deploy", "k8s", "overlays", overlay);
  const result = spawnSync("kubectl", ["kustomize", dir], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.error?.code === "ENOENT") throw new Error("kubectl not found (Debian: apt-get install -y kubectl)");
  if (result.status !== 0) throw new Error(`kubectl kustomize ${overlay} failed:\n${result.stderr}`);
  const parsed = parseAllDocuments(result.stdout);
  const problems = parsed.flatMap((doc) => doc.errors.map((error) => error.message));
  if (problems.length > 0) throw new Error(`${overlay}: the rendered YAML does not parse: ${problems.join("; ")}`);
  return parsed.map((doc) => doc.toJS()).filter((doc) => doc !== null);
}

async function main(args) {
  const { count, failures } = await selfTest();
  for (const failure of failures) console.error(`self-test: ${failure}`);
  console.log(`self-test: ${count - failures.length} of ${count} cases behave`);
  if (failures.length > 0) return 1;
  if (args.includes("--self-test")) return 0;
  const overlays = args.filter((arg) => !arg.startsWith("--"));
  let failed = false;
  for (const overlay of overlays.length > 0 ? overlays : ["small", "production"]) {
    const docs = render(overlay);
    const errors = await checkDocuments(docs);
    for (const error of errors) console.error(`${overlay}: ${error}`);
    const kinds = [...new Set(docs.map((doc) => doc.kind))].join(", ");
    console.log(
      `${overlay}: ${docs.length} documents (${kinds}): ${errors.length === 0 ? "valid" : `${errors.length} problems`}`,
    );
    failed ||= errors.length > 0;
  }
  return failed ? 1 : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error) => {
      console.error(`check-k8s: ${error.message}`);
      process.exitCode = 1;
    },
  );
}
