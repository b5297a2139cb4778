// The conditions of a pipeline, from what one reconcile saw: a pure function, so every message a
// person reads is tested without a cluster.
import type { Condition, DocumentPipelineStatus } from '#cdk8s/pipeline/status';

/** What a reconcile found, from the spec and the observed world. */
export type Outcome =
  /** The spec does not compile: its problems, as the loader words them. */
  | { readonly kind: 'invalid'; readonly problems: readonly string[] }
  /** An apply or a prune failed; the reconcile is retried with backoff. */
  | { readonly kind: 'failed'; readonly object: string; readonly message: string }
  /** Every child is applied; the Kafka objects not Ready yet, with what their operator said. */
  | {
      readonly kind: 'applied';
      readonly revision: string;
      readonly waiting: readonly { readonly object: string; readonly why: string }[];
      /** The parts some of whose ready replicas do not serve the revision yet. */
      readonly behind: readonly { readonly part: string; readonly current: number; readonly replicas: number }[];
    };

type ConditionType = 'Ready' | 'Progressing' | 'Degraded';
type Verdict = Pick<Condition, 'status' | 'reason' | 'message'>;

function verdicts(outcome: Outcome): Record<ConditionType, Verdict> {
  switch (outcome.kind) {
    case 'invalid': {
      const message = `the spec does not compile, so the previous revision keeps serving: ${outcome.problems.join('; ')}. Fix the spec; make pipelines-check runs the same checks offline.`;
      return {
        Ready: { status: 'False', reason: 'InvalidSpec', message },
        // Nothing will change until the spec does.
        Progressing: { status: 'False', reason: 'InvalidSpec', message: 'waiting for a spec that compiles' },
        Degraded: { status: 'True', reason: 'InvalidSpec', message },
      };
    }
    case 'failed': {
      const message = `${outcome.object} could not be applied: ${outcome.message}. The operator retries with backoff; check its RBAC, and that the CRD of this kind is installed.`;
      return {
        Ready: { status: 'False', reason: 'ApplyFailed', message },
        Progressing: { status: 'True', reason: 'Retrying', message: `retrying ${outcome.object}` },
        Degraded: { status: 'True', reason: 'ApplyFailed', message },
      };
    }
    case 'applied': {
      if (outcome.waiting.length > 0) {
        const list = outcome.waiting.map((w) => `${w.object} is not Ready: ${w.why}`).join('; ');
        const message = `revision ${outcome.revision} is applied; waiting for Kafka: ${list}. If this lasts, see kubectl describe on it and the Strimzi entity operator's logs.`;
        return {
          Ready: { status: 'False', reason: 'KafkaNotReady', message },
          Progressing: { status: 'True', reason: 'WaitingForKafka', message },
          Degraded: { status: 'False', reason: 'AsExpected', message: 'nothing failed' },
        };
      }
      const ready: Verdict = { status: 'True', reason: 'Ready', message: `revision ${outcome.revision} is applied and its topics and Kafka user are Ready` };
      if (outcome.behind.length > 0) {
        const list = outcome.behind.map((b) => `${b.part}: ${b.current} of ${b.replicas} ready replicas`).join(', ');
        return {
          Ready: ready,
          Progressing: {
            status: 'True',
            reason: 'RollingOut',
            message: `revision ${outcome.revision} is live in ${list}. The kubelet refreshes a mounted ConfigMap within about a minute, and each replica then loads it; if this lasts, see the replicas' logs for "pipeline refused".`,
          },
          Degraded: { status: 'False', reason: 'AsExpected', message: 'nothing failed' },
        };
      }
      return {
        Ready: ready,
        Progressing: { status: 'False', reason: 'Reconciled', message: `revision ${outcome.revision} is reconciled and served by every ready replica` },
        Degraded: { status: 'False', reason: 'AsExpected', message: 'nothing failed' },
      };
    }
  }
}

/**
 * The conditions for an outcome at `generation`. A condition whose status did not change keeps
 * its lastTransitionTime, as metav1.Condition means it.
 */
export function conditionsFor(outcome: Outcome, generation: number, previous: readonly Condition[], now: Date): Condition[] {
  return Object.entries(verdicts(outcome)).map(([type, verdict]) => {
    const before = previous.find((c) => c.type === type);
    const lastTransitionTime = before && before.status === verdict.status ? before.lastTransitionTime : now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    return { type, ...verdict, observedGeneration: generation, lastTransitionTime };
  });
}

/** The next status: the conditions, and what was rendered (kept from before when nothing was). */
export function nextStatus(
  current: DocumentPipelineStatus | undefined,
  outcome: Outcome,
  generation: number,
  rendered: Pick<DocumentPipelineStatus, 'revision' | 'topics' | 'collections' | 'serving'> | undefined,
  now: Date,
): DocumentPipelineStatus {
  return {
    ...(rendered ?? { revision: current?.revision, topics: current?.topics, collections: current?.collections, serving: current?.serving }),
    observedGeneration: generation,
    conditions: conditionsFor(outcome, generation, current?.conditions ?? [], now),
  };
}

/** Whether two statuses say the same, so an unchanged one is not written again. */
export function sameStatus(a: DocumentPipelineStatus | undefined, b: DocumentPipelineStatus): boolean {
  const canonical = (s: DocumentPipelineStatus | undefined) =>
    JSON.stringify(s, (_key, value: unknown) =>
      value && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([x], [y]) => x.localeCompare(y)))
        : value,
    );
  return canonical(a) === canonical(b);
}
