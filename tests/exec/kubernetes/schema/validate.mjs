// Validates Pod manifests (JSON files) written by `rampart run --emit-pod-manifests DIR`:
//  1. against the Kubernetes OpenAPI schema for v1 Pod, as compiled by the kubernetes-models
//     package (types, enums, required fields, formats);
//  2. strictly: a field the schema does not define is an error (the compiled schema accepts
//     unknown fields, as the API server's non-strict decoding would; kubectl --validate=strict
//     would not). Field names come from the same package's type declarations;
//  3. for rampart's least-privilege defaults.
// Usage: node validate.mjs DIR...   Exit status 0 only if every manifest passes.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Pod } from "kubernetes-models/v1/Pod";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const modelsDir = path.dirname(require.resolve("kubernetes-models/package.json"));

// --- strict field check from the .d.ts interfaces -------------------------------------------
const interfaceCache = new Map();
function resolveModule(spec, fromFile) {
  if (spec.startsWith(".")) return path.resolve(path.dirname(fromFile), spec.replace(/\.js$/, "") + ".d.ts");
  const [scope, name, ...rest] = spec.split("/");
  const pkgDir = path.join(here, "node_modules", scope, name);
  return path.join(pkgDir, ...rest) + ".d.ts";
}
// {fields: Map(name -> declaration file of its type, or null for leaves and maps)} or null
function interfaceOf(file) {
  if (interfaceCache.has(file)) return interfaceCache.get(file);
  let result = null;
  if (fs.existsSync(file)) {
    const text = fs.readFileSync(file, "utf8");
    const imports = new Map();
    for (const m of text.matchAll(/import \{ (\w+) \} from "([^"]+)"/g)) imports.set(m[1], resolveModule(m[2], file));
    const start = text.search(/export interface I\w+[^{]*\{/);
    if (start >= 0) {
      const fields = new Map();
      const body = text.slice(start).split("\n");
      let depth = 0;
      for (const line of body) {
        const m = depth === 1 && line.match(/^\s{4}"([^"]+)"\??: (.*)$/);
        if (m) {
          const ref = m[2].match(/(IIoK8s\w+)/);
          fields.set(m[1], ref && imports.has(ref[1]) ? imports.get(ref[1]) : null);
        }
        depth += (line.match(/\{/g) || []).length - (line.match(/\}/g) || []).length;
        if (depth === 0 && line.includes("}")) break;
      }
      result = { fields };
    }
  }
  interfaceCache.set(file, result);
  return result;
}
function strictCheck(value, file, where, errors) {
  const iface = interfaceOf(file);
  if (!iface || value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => strictCheck(v, file, `${where}[${i}]`, errors));
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    if (!iface.fields.has(key)) errors.push(`${where}.${key}: unknown field`);
    else if (iface.fields.get(key)) strictCheck(v, iface.fields.get(key), `${where}.${key}`, errors);
  }
}

// --- rampart's least-privilege defaults --------------------------------------------------------
function leastPrivilege(pod, errors) {
  const spec = pod.spec || {};
  const need = (cond, what) => { if (!cond) errors.push(what); };
  need(spec.automountServiceAccountToken === false, "spec.automountServiceAccountToken must be false");
  need(spec.enableServiceLinks === false, "spec.enableServiceLinks must be false");
  need(spec.restartPolicy === "Never", "spec.restartPolicy must be Never");
  need(spec.securityContext?.seccompProfile?.type === "RuntimeDefault", "pod seccompProfile must be RuntimeDefault");
  const user = spec.securityContext?.runAsUser;
  need(spec.securityContext?.runAsNonRoot === true || user === 0, "runAsNonRoot must be set unless the template asked for uid 0");
  need(!spec.hostNetwork && !spec.hostPID && !spec.hostIPC, "no host namespaces");
  for (const c of [...(spec.initContainers || []), ...(spec.containers || [])]) {
    const sc = c.securityContext || {};
    const at = `container ${c.name}`;
    need(sc.privileged !== true, `${at}: privileged`);
    need(sc.allowPrivilegeEscalation === false, `${at}: allowPrivilegeEscalation must be false`);
    need(JSON.stringify(sc.capabilities?.drop) === '["ALL"]', `${at}: capabilities.drop must be [ALL]`);
    need(sc.readOnlyRootFilesystem === true, `${at}: readOnlyRootFilesystem must be true`);
    need(c.resources?.limits?.cpu !== undefined && c.resources?.limits?.memory !== undefined, `${at}: cpu and memory limits`);
  }
  const labels = pod.metadata?.labels || {};
  need(labels["workflows.argoproj.io/workflow"], "label workflows.argoproj.io/workflow");
  need(labels["workflows.argoproj.io/completed"] === "false", "label workflows.argoproj.io/completed");
  need(pod.metadata?.annotations?.["workflows.argoproj.io/node-name"], "annotation workflows.argoproj.io/node-name");
  need(pod.metadata?.annotations?.["workflows.argoproj.io/node-id"], "annotation workflows.argoproj.io/node-id");
}

const podDecl = path.join(modelsDir, "v1", "Pod.d.ts");
if (!interfaceOf(podDecl)) {
  console.error(`validate: cannot read the Pod type declarations at ${podDecl}`);
  process.exit(2);
}
let checked = 0, failed = 0;
for (const dir of process.argv.slice(2)) {
  const files = fs.readdirSync(dir, { recursive: true }).filter((f) => f.endsWith(".json")).sort();
  for (const f of files) {
    const file = path.join(dir, f);
    const errors = [];
    let manifest;
    try {
      manifest = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
      errors.push(`not JSON: ${e.message}`);
    }
    if (manifest) {
      try {
        new Pod(manifest).validate();
      } catch (e) {
        errors.push(`schema: ${e.message}`);
      }
      strictCheck(manifest, podDecl, "", errors);
      leastPrivilege(manifest, errors);
    }
    checked++;
    if (errors.length) {
      failed++;
      console.log(`INVALID ${file}\n  ${errors.join("\n  ")}`);
    }
  }
}
console.log(`${checked} Pod manifests checked, ${failed} invalid`);
process.exit(failed || checked === 0 ? 1 : 0);
