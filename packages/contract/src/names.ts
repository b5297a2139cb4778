/**
 * A pipeline's name becomes Kafka topic names, MongoDB collection names, Kubernetes object names
 * and metric label values, so it is held to what all of them accept: lowercase DNS-label
 * characters, starting with a letter.
 */
export const PIPELINE_NAME_PATTERN = '^[a-z][a-z0-9-]{0,46}[a-z0-9]$';
const PIPELINE_NAME = new RegExp(PIPELINE_NAME_PATTERN);

/** Kafka topic names: letters, digits, '.', '_', '-', at most 249 characters. */
export const TOPIC_NAME_PATTERN = '^[a-zA-Z0-9._-]{1,200}$';
/** MongoDB collection names that every store takes: no '$', no NUL, not system.*. */
export const COLLECTION_NAME_PATTERN = '^(?!system\\.)[a-zA-Z0-9_-][a-zA-Z0-9._-]{0,100}$';

/** What a spec may set instead of the derived names (the invoices pipeline keeps its historical ones). */
export interface NameOverrides {
  /** @default the pipeline's name */
  readonly topic?: string | undefined;
  /** @default the pipeline's name */
  readonly collection?: string | undefined;
  /** @default `<collection>_rejected` */
  readonly rejectedCollection?: string | undefined;
}

export interface PipelineResources {
  readonly topics: {
    /** Validated documents, written by ingest. */
    readonly documents: string;
    /** Refused documents with their reasons, written by ingest (the consumer stores inbox rejections directly). */
    readonly rejected: string;
    /** Records that can never be stored, written by the consumer. */
    readonly deadletter: string;
    /** Unvalidated records from Kafka-native producers, validated by the consumer. */
    readonly inbox: string;
  };
  readonly collections: { readonly documents: string; readonly rejected: string };
}

export function isPipelineName(name: string): boolean {
  return PIPELINE_NAME.test(name);
}

/** The topics and collections of one pipeline: the naming rule every part derives them with. */
export function pipelineResources(name: string, overrides: NameOverrides = {}): PipelineResources {
  if (!isPipelineName(name)) throw new Error(`pipeline name "${name}" must match ${PIPELINE_NAME_PATTERN}`);
  const topic = overrides.topic ?? name;
  const collection = overrides.collection ?? name;
  return {
    topics: { documents: topic, rejected: `${topic}.rejected`, deadletter: `${topic}.dlq`, inbox: `${name}.inbox` },
    collections: { documents: collection, rejected: overrides.rejectedCollection ?? `${collection}_rejected` },
  };
}

/** Every topic of a pipeline, in a stable order (documents, rejected, dead letters, inbox). */
export function pipelineTopics(resources: PipelineResources, withInbox: boolean): string[] {
  const { documents, rejected, deadletter, inbox } = resources.topics;
  return withInbox ? [documents, rejected, deadletter, inbox] : [documents, rejected, deadletter];
}

/** Poison records of every pipeline; the `_id` `<topic>:<partition>:<offset>` is unique across them. */
export const DEADLETTERS_COLLECTION = 'deadletters';

/** The pipeline that the historical `/v1/documents` routes serve. */
export const DEFAULT_PIPELINE = 'invoices';
