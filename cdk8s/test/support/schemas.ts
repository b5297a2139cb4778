// Validators for every synthesized object. Core kinds: the OpenAPI (swagger.json) shipped in the
// pinned k8s.io/kubernetes release module. Custom resources: the openAPIV3Schema of the pinned CRDs.
// Both are made strict about unknown fields, which the API server prunes (or rejects, with
// kubectl's default strict field validation) but plain JSON Schema would let through.
import { Ajv, type ValidateFunction } from 'ajv';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: a plain ESM script shared with `npm run import`, without type declarations.
import { crdsDir, loadCrds } from '../../scripts/crds.mjs';
import { pinnedVersions } from '../../src/config.js';
import type { Manifest } from './manifests.js';

/** additionalProperties: false wherever properties are listed and unknown fields are not kept. */
export function strictify(schema: any): any {
  if (Array.isArray(schema)) return schema.map(strictify);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: any = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, k === 'enum' || k === 'default' || k === 'example' ? v : strictify(v)]));
  if (out.properties && out['x-kubernetes-preserve-unknown-fields'] !== true && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

/** swagger.json of the pinned Kubernetes release, from the Go module cache (downloaded if absent). */
export function kubernetesOpenApiFile(): string {
  const version = pinnedVersions().KUBERNETES_VERSION;
  const tools = fileURLToPath(new URL('../../../tools/kube-apiserver', import.meta.url));
  const out = execFileSync('go', ['mod', 'download', '-json', `k8s.io/kubernetes@v${version}`], { cwd: tools, encoding: 'utf8' });
  const dir = JSON.parse(out).Dir as string;
  return join(dir, 'api', 'openapi-spec', 'swagger.json');
}

/** CRD patterns are Go (RE2) regular expressions; the one RE2-only syntax they use is the (?i) flag. */
function re2(pattern: string, flags: string): RegExp {
  return pattern.includes('(?i)') ? new RegExp(pattern.replaceAll('(?i)', ''), `${flags}i`) : new RegExp(pattern, flags);
}
re2.code = 're2';

const ajvOptions = { strict: false, allErrors: true, validateFormats: false, code: { regExp: re2 } } as const;

export type Validator = (m: Manifest) => string[];

function errorsOf(fn: ValidateFunction): string[] {
  return (fn.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? `: ${e.params.additionalProperty}` : ''}`);
}

export function coreValidator(file = kubernetesOpenApiFile()): { validate: Validator; kinds: Set<string> } {
  const swagger = JSON.parse(readFileSync(file, 'utf8'));
  const definitions = strictify(swagger.definitions);
  // Swagger 2 types int-or-string as a string with a format; JSON Schema needs both branches.
  definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'] = { anyOf: [{ type: 'string' }, { type: 'integer' }] };
  const ajv = new Ajv(ajvOptions);
  ajv.addSchema({ $id: 'k8s', definitions });
  const byGvk = new Map<string, string>();
  for (const [name, def] of Object.entries<any>(swagger.definitions)) {
    for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) {
      const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
      byGvk.set(`${apiVersion}:${gvk.kind}`, name);
    }
  }
  const cache = new Map<string, ValidateFunction>();
  const validate: Validator = (m) => {
    const name = byGvk.get(`${m.apiVersion}:${m.kind}`);
    if (!name) return [`${m.apiVersion} ${m.kind} is not a Kubernetes ${pinnedVersions().KUBERNETES_VERSION} kind`];
    let fn = cache.get(name);
    if (!fn) {
      fn = ajv.getSchema(`k8s#/definitions/${name}`)!;
      cache.set(name, fn);
    }
    return fn(m) ? [] : errorsOf(fn);
  };
  return { validate, kinds: new Set([...byGvk.keys()]) };
}

export function customResourceValidator(dir: string = crdsDir()): { validate: Validator; kinds: Set<string> } {
  const ajv = new Ajv(ajvOptions);
  const fns = new Map<string, ValidateFunction>();
  for (const { crd } of loadCrds(dir) as { crd: any }[]) {
    for (const v of crd.spec.versions) {
      if (!v.served) continue;
      fns.set(`${crd.spec.group}/${v.name}:${crd.spec.names.kind}`, ajv.compile(strictify(v.schema.openAPIV3Schema)));
    }
  }
  const validate: Validator = (m) => {
    const fn = fns.get(`${m.apiVersion}:${m.kind}`);
    if (!fn) return [`no CRD in ${dir} serves ${m.apiVersion} ${m.kind}`];
    return fn(m) ? [] : errorsOf(fn);
  };
  return { validate, kinds: new Set(fns.keys()) };
}

/** One validator for any manifest: a custom resource against its pinned CRD, anything else against the Kubernetes OpenAPI. */
export function manifestValidator(): Validator {
  const core = coreValidator();
  const custom = customResourceValidator();
  return (m) => (custom.kinds.has(`${m.apiVersion}:${m.kind}`) ? custom.validate(m) : core.validate(m));
}
