// Whether the objects of a namespace that point at others, by label selector or by name, find
// them once controllers have run: what a bare API server, which takes each object on its own,
// cannot tell. Pure functions of a snapshot of the namespace (read from a cluster, or written as a
// fixture), each returning what it checked, what it left out and why, and what is wrong.
import type { Manifest } from './manifests.js';

export interface LabelSelector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] }[];
}

/** Pods that only a third-party operator creates, known by the labels that select them. */
export interface NotSimulated {
  readonly labels: Record<string, string>;
  readonly why: string;
}

export interface Findings {
  /** How many selections or references of each kind were checked. */
  readonly checked: Record<string, number>;
  /** Those left out, each with why. */
  readonly skipped: string[];
  readonly problems: string[];
}

/** An object as the API server returns it: with the metadata and status controllers write. */
export interface ClusterObject extends Manifest {
  metadata: Manifest['metadata'] & {
    generation?: number;
    deletionTimestamp?: string;
    ownerReferences?: { kind: string; name: string }[];
  };
  status?: any;
}

/** One namespace's objects, each with its kind. */
export interface Snapshot {
  readonly namespace: string;
  readonly objects: readonly ClusterObject[];
}

export function selects(selector: LabelSelector, labels: Record<string, string> = {}): boolean {
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return (
    byLabel &&
    (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
      switch (operator) {
        case 'In':
          return key in labels && values.includes(labels[key]!);
        case 'NotIn':
          return !(key in labels) || !values.includes(labels[key]!);
        case 'Exists':
          return key in labels;
        case 'DoesNotExist':
          return !(key in labels);
        default:
          throw new Error(`unknown selector operator ${operator}`);
      }
    })
  );
}

const show = (selector: LabelSelector): string =>
  [
    ...Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(selector.matchExpressions ?? []).map((e) => `${e.key} ${e.operator} (${(e.values ?? []).join(',')})`),
  ].join(',') || '<everything>';

class Tally {
  readonly checked: Record<string, number> = {};
  readonly skipped: string[] = [];
  readonly problems: string[] = [];

  count(kind: string): void {
    this.checked[kind] = (this.checked[kind] ?? 0) + 1;
  }

  findings(): Findings {
    return { checked: this.checked, skipped: this.skipped, problems: this.problems };
  }
}

const of = (snapshot: Snapshot, kind: string) => snapshot.objects.filter((o) => o.kind === kind);
const name = (o: ClusterObject) => `${o.kind}/${o.metadata.name}`;
/** Pods that exist and are not on their way out: those of finished Jobs count, as they exist. */
const livePods = (snapshot: Snapshot) => of(snapshot, 'Pod').filter((p) => !p.metadata.deletionTimestamp);

/** Why a selection is not checked: it names pods of a third-party operator the simulation lacks. */
function notSimulated(selector: LabelSelector, known: readonly NotSimulated[]): string | undefined {
  if (selector.matchExpressions?.length) return undefined;
  const labels = selector.matchLabels ?? {};
  const entries = Object.entries(labels);
  return known.find((k) => entries.length === Object.keys(k.labels).length && entries.every(([key, v]) => k.labels[key] === v))?.why;
}

/** What the pods a workload selects are doing, for a message about why it is not ready. */
function podStates(pods: readonly ClusterObject[]): string {
  if (pods.length === 0) return 'no pod';
  return pods
    .map((p) => {
      const unready = (p.status?.conditions ?? []).find((c: any) => c.status !== 'True' && c.message);
      return `${p.metadata.name} ${p.status?.phase ?? 'unknown'}${unready ? ` (${unready.type}: ${unready.message})` : ''}`;
    })
    .join('; ');
}

/** Every Deployment and StatefulSet has its desired replicas ready, at its current generation. */
export function checkRollouts(snapshot: Snapshot): Findings {
  const tally = new Tally();
  for (const workload of [...of(snapshot, 'Deployment'), ...of(snapshot, 'StatefulSet')]) {
    tally.count(workload.kind);
    const desired = workload.spec?.replicas ?? 1;
    const ready = workload.status?.readyReplicas ?? 0;
    const current = (workload.status?.observedGeneration ?? 0) >= (workload.metadata.generation ?? 0);
    if (ready < desired || !current) {
      const pods = livePods(snapshot).filter((p) => selects(workload.spec.selector, p.metadata.labels));
      tally.problems.push(`${name(workload)}: ${ready} of ${desired} replicas ready${current ? '' : ' (not observed at its generation)'}; pods: ${podStates(pods)}`);
    }
  }
  return tally.findings();
}

/** Every Service with a selector has ready endpoints, on each of its ports. */
export function checkEndpoints(snapshot: Snapshot, known: readonly NotSimulated[]): Findings {
  const tally = new Tally();
  for (const service of of(snapshot, 'Service')) {
    const selector = service.spec?.selector as Record<string, string> | undefined;
    if (!selector || Object.keys(selector).length === 0) {
      tally.skipped.push(`${name(service)}: has no selector, so its endpoints are not a controller's`);
      continue;
    }
    const why = notSimulated({ matchLabels: selector }, known);
    if (why) {
      tally.skipped.push(`${name(service)} (${show({ matchLabels: selector })}): ${why}`);
      continue;
    }
    tally.count('Service');
    const slices = of(snapshot, 'EndpointSlice').filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === service.metadata.name);
    const ready = slices.flatMap((s) => (s.endpoints ?? []).filter((e: any) => e.conditions?.ready === true));
    if (ready.length === 0) {
      const pods = livePods(snapshot).filter((p) => selects({ matchLabels: selector }, p.metadata.labels));
      tally.problems.push(`${name(service)}: no ready endpoint; its selector ${show({ matchLabels: selector })} matches ${podStates(pods)}`);
      continue;
    }
    // A port whose targetPort names no port of the selected pods is left out of every slice.
    const served = new Set(slices.flatMap((s) => (s.ports ?? []).map((p: any) => p.name ?? '')));
    for (const port of service.spec.ports ?? []) {
      if (!served.has(port.name ?? '')) tally.problems.push(`${name(service)} port ${port.name ?? port.port}: no endpoint serves it (targetPort ${port.targetPort} is no port of the selected pods)`);
    }
  }
  return tally.findings();
}

/**
 * Every PodDisruptionBudget, NetworkPolicy (its podSelector, and each peer's podSelector within the
 * namespace), ServiceMonitor, PodMonitor, HorizontalPodAutoscaler and KEDA ScaledObject selects or
 * targets something that exists, and each monitor's port is one its targets have.
 */
export function checkSelections(snapshot: Snapshot, known: readonly NotSimulated[]): Findings {
  const tally = new Tally();
  const pods = livePods(snapshot);
  const selected = (selector: LabelSelector) => pods.filter((p) => selects(selector, p.metadata.labels));
  /** Checks that `selector` selects some pod; undefined when it was skipped. */
  const podSelection = (what: string, kind: string, selector: LabelSelector): ClusterObject[] | undefined => {
    const why = notSimulated(selector, known);
    if (why) {
      tally.skipped.push(`${what} (${show(selector)}): ${why}`);
      return undefined;
    }
    tally.count(kind);
    const found = selected(selector);
    if (found.length === 0) tally.problems.push(`${what}: selector ${show(selector)} selects no pod`);
    return found;
  };

  for (const pdb of of(snapshot, 'PodDisruptionBudget')) podSelection(name(pdb), 'PodDisruptionBudget', pdb.spec.selector);

  for (const policy of of(snapshot, 'NetworkPolicy')) {
    podSelection(`${name(policy)} podSelector`, 'NetworkPolicy podSelector', policy.spec.podSelector);
    const peers = [
      ...(policy.spec.ingress ?? []).flatMap((rule: any) => (rule.from ?? []).map((peer: any) => ['ingress from', peer])),
      ...(policy.spec.egress ?? []).flatMap((rule: any) => (rule.to ?? []).map((peer: any) => ['egress to', peer])),
    ] as [string, any][];
    for (const [direction, peer] of peers) {
      if (!peer.podSelector) continue;
      if (peer.namespaceSelector) {
        tally.skipped.push(`${name(policy)} ${direction} peer (${show(peer.podSelector)} in namespaces ${show(peer.namespaceSelector)}): pods of another namespace, whose charts the simulation does not run`);
        continue;
      }
      podSelection(`${name(policy)} ${direction} peer`, 'NetworkPolicy peer', peer.podSelector);
    }
  }

  for (const monitor of of(snapshot, 'ServiceMonitor')) {
    const namespaces = monitor.spec.namespaceSelector;
    if (namespaces?.any || (namespaces?.matchNames && !namespaces.matchNames.includes(snapshot.namespace))) {
      tally.skipped.push(`${name(monitor)}: watches other namespaces`);
      continue;
    }
    tally.count('ServiceMonitor');
    const services = of(snapshot, 'Service').filter((s) => selects(monitor.spec.selector, s.metadata.labels));
    if (services.length === 0) tally.problems.push(`${name(monitor)}: selector ${show(monitor.spec.selector)} selects no Service`);
    for (const endpoint of monitor.spec.endpoints ?? []) {
      for (const service of services.filter((s) => !(s.spec.ports ?? []).some((p: any) => p.name === endpoint.port))) {
        tally.problems.push(`${name(monitor)}: port ${endpoint.port} is no port of ${name(service)}`);
      }
    }
  }

  for (const monitor of of(snapshot, 'PodMonitor')) {
    const found = podSelection(name(monitor), 'PodMonitor', monitor.spec.selector);
    for (const endpoint of monitor.spec.podMetricsEndpoints ?? []) {
      for (const pod of (found ?? []).filter((p) => !(p.spec.containers ?? []).some((c: any) => (c.ports ?? []).some((port: any) => port.name === endpoint.port)))) {
        tally.problems.push(`${name(monitor)}: port ${endpoint.port} is no container port of pod ${pod.metadata.name}`);
      }
    }
  }

  for (const scaler of [...of(snapshot, 'ScaledObject'), ...of(snapshot, 'HorizontalPodAutoscaler')]) {
    tally.count(scaler.kind);
    const target = scaler.spec.scaleTargetRef;
    const kind = target.kind ?? 'Deployment';
    if (!snapshot.objects.some((o) => o.kind === kind && o.metadata.name === target.name)) {
      tally.problems.push(`${name(scaler)}: scaleTargetRef ${kind}/${target.name} does not exist`);
    }
  }
  return tally.findings();
}
