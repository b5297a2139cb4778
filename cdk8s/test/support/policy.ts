// The rules every workload must follow, as functions returning violations (empty = compliant),
// so the tests can show each rule both passing on the charts and failing on a broken object.
import { id, podLabels, podSpec, type Manifest } from './manifests.js';

type Violations = string[];

const containersOf = (spec: any): any[] => [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];

/** Pod Security Standards, "restricted" profile (the namespace enforces it too). */
export function podSecurityRestricted(m: Manifest): Violations {
  const spec = podSpec(m);
  if (!spec) return [];
  const out: Violations = [];
  const pod = spec.securityContext ?? {};
  if (spec.hostNetwork || spec.hostPID || spec.hostIPC) out.push(`${id(m)}: host namespaces`);
  for (const v of spec.volumes ?? []) if (v.hostPath) out.push(`${id(m)}: hostPath volume ${v.name}`);
  for (const c of containersOf(spec)) {
    const sc = c.securityContext ?? {};
    const where = `${id(m)} container ${c.name}`;
    if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) out.push(`${where}: runAsNonRoot is not true`);
    if ((sc.runAsUser ?? pod.runAsUser) === 0) out.push(`${where}: runs as uid 0`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`${where}: allowPrivilegeEscalation is not false`);
    if (sc.privileged) out.push(`${where}: privileged`);
    const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') out.push(`${where}: seccompProfile is not RuntimeDefault`);
    const drop: string[] = sc.capabilities?.drop ?? [];
    if (!drop.includes('ALL')) out.push(`${where}: capabilities do not drop ALL`);
    const add: string[] = sc.capabilities?.add ?? [];
    if (add.some((cap) => cap !== 'NET_BIND_SERVICE')) out.push(`${where}: adds capabilities ${add.join(',')}`);
    if (sc.readOnlyRootFilesystem !== true) out.push(`${where}: root filesystem is writable`);
  }
  return out;
}

export function resourcesSet(m: Manifest): Violations {
  return containersOf(podSpec(m)).flatMap((c) =>
    ['cpu', 'memory'].flatMap((r) =>
      (['requests', 'limits'] as const).filter((k) => !c.resources?.[k]?.[r]).map((k) => `${id(m)} container ${c.name}: no ${r} ${k.slice(0, -1)}`),
    ),
  );
}

/** Long-running containers need liveness and readiness probes; Jobs run to completion and are exempt. */
export function probesSet(m: Manifest): Violations {
  if (!['Deployment', 'StatefulSet', 'DaemonSet'].includes(m.kind)) return [];
  return (podSpec(m)?.containers ?? []).flatMap((c: any) => [
    ...(c.livenessProbe ? [] : [`${id(m)} container ${c.name}: no liveness probe`]),
    ...(c.readinessProbe ? [] : [`${id(m)} container ${c.name}: no readiness probe`]),
  ]);
}

function isPinned(image: string): boolean {
  const tag = image.includes('@') ? 'digest' : image.split('/').pop()!.split(':')[1];
  return !!tag && tag !== 'latest';
}

export function imagesPinned(m: Manifest): Violations {
  return containersOf(podSpec(m)).flatMap((c) => (isPinned(c.image ?? '') ? [] : [`${id(m)} container ${c.name}: image "${c.image ?? ''}" is not pinned to a tag`]));
}

/** A pinned tag never changes: pulling it again on every start only adds a registry outage to a restart. */
export function pinnedImagesPulledOnce(m: Manifest): Violations {
  return containersOf(podSpec(m)).flatMap((c) =>
    isPinned(c.image ?? '') && c.imagePullPolicy === 'Always'
      ? [`${id(m)} container ${c.name}: pulls the pinned image "${c.image}" on every start (imagePullPolicy Always)`]
      : [],
  );
}

const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

export function pdbForEachDeployment(all: Manifest[]): Violations {
  const pdbs = all.filter((m) => m.kind === 'PodDisruptionBudget');
  return all
    .filter((m) => m.kind === 'Deployment')
    .filter((d) => !pdbs.some((p) => matches(p.spec?.selector?.matchLabels ?? { never: 'matches' }, podLabels(d))))
    .map((d) => `${id(d)}: no PodDisruptionBudget selects its pods`);
}

/**
 * Every pod is isolated by a default-deny for both directions, and at least one specific allow
 * rule (not the namespace-wide DNS rule) selects it.
 */
export function networkPolicyCoverage(all: Manifest[]): Violations {
  const policies = all.filter((m) => m.kind === 'NetworkPolicy');
  const denyAll = policies.find(
    (p) => Object.keys(p.spec?.podSelector?.matchLabels ?? {}).length === 0 && !p.spec?.ingress && !p.spec?.egress && (p.spec?.policyTypes ?? []).length === 2,
  );
  const out: Violations = denyAll ? [] : ['no default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules)'];
  const specific = policies.filter((p) => Object.keys(p.spec?.podSelector?.matchLabels ?? {}).length > 0);
  for (const w of all.filter((m) => podSpec(m))) {
    if (!specific.some((p) => matches(p.spec.podSelector.matchLabels, podLabels(w)))) out.push(`${id(w)}: no allow NetworkPolicy selects its pods`);
  }
  return out;
}

export const perObjectRules = { podSecurityRestricted, resourcesSet, probesSet, imagesPinned, pinnedImagesPulledOnce };
