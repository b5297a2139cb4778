// The CPU cost per document of each part of the pipeline, read from one run's measurements: the
// cores a process kept busy during a measurement, times the measurement's seconds, over the
// documents it handled. Pure (bench/test/costs.test.ts). Every run writes them (results.ts
// `assemble`), and the capacity model (capacity.ts) sizes a cluster from them, so the model is
// refreshed by each run.
import type { Measurement, MeasurementId } from './results.js';

/** Process names as a run's `cores` record them: services.ts names Docpipe's, measure.ts the stack's. */
export const PROCESSES = {
  ingest: 'ingest (AUTH_MODE=jwt)',
  consumer: 'consumer',
  kafka: 'kafka (stack)',
  ferretdb: 'ferretdb (stack)',
} as const;

/**
 * Whose documents a process's CPU is divided by. Measurements whose runs interleave share one CPU
 * frame (single documents with JWT and without take turns): `measurement` is for a process that
 * served that measurement alone (the JWT ingest), `frame` for one that served every measurement of
 * the frame (the broker takes both ingests' documents).
 */
type Per = 'measurement' | 'frame';

interface PartSpec {
  readonly title: string;
  readonly from: MeasurementId;
  readonly process: string;
  readonly per: Per;
}

/** Each part, the measurement it is read from and the process whose cores it is. */
export const PARTS = {
  'ingest.single': { title: 'ingest, single documents (JWT)', from: 'docpipe.single.auth', process: PROCESSES.ingest, per: 'measurement' },
  'ingest.batch': { title: 'ingest, batch endpoint (JWT)', from: 'docpipe.batch', process: PROCESSES.ingest, per: 'measurement' },
  'broker.single': { title: 'Kafka broker, taking single documents from ingest', from: 'docpipe.single.auth', process: PROCESSES.kafka, per: 'frame' },
  'broker.batch': { title: 'Kafka broker, taking batches from ingest', from: 'docpipe.batch', process: PROCESSES.kafka, per: 'frame' },
  'broker.fetch': { title: 'Kafka broker, serving the consumer', from: 'docpipe.consumer', process: PROCESSES.kafka, per: 'frame' },
  consumer: { title: 'consumer', from: 'docpipe.consumer', process: PROCESSES.consumer, per: 'measurement' },
  store: { title: "store: FerretDB's (a stand-in for MongoDB), the consumer's writes", from: 'docpipe.consumer', process: PROCESSES.ferretdb, per: 'frame' },
} as const satisfies Record<string, PartSpec>;

export type Part = keyof typeof PARTS;

/** A part's cost, or why the run cannot give it. */
export type Cost =
  | {
      /** Core-milliseconds of CPU per document. */
      readonly coreMsPerDoc: number;
      readonly from: MeasurementId;
      readonly process: string;
      /** What it was computed from: the process's cores, the frame's seconds, the documents divided by. */
      readonly cores: number;
      readonly seconds: number;
      readonly documents: number;
    }
  | { readonly missing: string; readonly from: MeasurementId; readonly process: string };

export type DocumentBytes = { readonly bytes: number; readonly from: MeasurementId } | { readonly missing: string };

export interface Costs {
  readonly parts: Readonly<Record<Part, Cost>>;
  /** The mean size of a record of the documents topic (the envelope ingest writes), in bytes. */
  readonly documentBytes: DocumentBytes;
}

/** Where the mean record size is recorded: the drains first, as they carry the records ingest writes. */
const SIZE_SOURCES: readonly MeasurementId[] = ['docpipe.consumer', 'peer.sink', 'ceiling.kafka'];

type Ok = Extract<Measurement, { status: 'ok' }>;

/** measureTogether gives every measurement of one frame the same CPU figures and load average. */
const frameKey = (m: Measurement) => JSON.stringify([m.cores, m.loadAverage, m.otherCpu]);

function costOf(spec: PartSpec, measurements: readonly Measurement[]): Cost {
  const { from, process } = spec;
  const missing = (reason: string): Cost => ({ missing: reason, from, process });
  const m = measurements.find((x) => x.id === from);
  if (!m) return missing(`${from} was not measured`);
  if (m.status !== 'ok') return missing(`${from} ${m.status}: ${m.reason}`);
  if (!m.cores) return missing(`${from} has no CPU figures (cores)`);
  const cores = m.cores[process];
  // coresByProcess leaves out a process below its reporting threshold: absent is "not seen", not zero.
  if (cores === undefined) return missing(`${from} records no cores for ${process} (not running, or under 0.01)`);
  const frame = measurements.filter((x): x is Ok => x.status === 'ok' && frameKey(x) === frameKey(m));
  // The frame also holds each run's warm-up, at about the measured rate: seconds over documents
  // of the measured part stand for the whole frame's.
  const seconds = frame.reduce((sum, x) => sum + x.seconds, 0);
  const documents = spec.per === 'measurement' ? m.count : frame.reduce((sum, x) => sum + x.count, 0);
  if (documents <= 0 || seconds <= 0) return missing(`${from} handled no documents`);
  return { coreMsPerDoc: (cores * seconds * 1000) / documents, from, process, cores, seconds, documents };
}

function documentBytesOf(measurements: readonly Measurement[]): DocumentBytes {
  for (const id of SIZE_SOURCES) {
    const bytes = measurements.find((m) => m.id === id)?.params['meanRecordBytes'];
    if (typeof bytes === 'number' && bytes > 0) return { bytes, from: id };
  }
  return { missing: `none of ${SIZE_SOURCES.join(', ')} records meanRecordBytes` };
}

/** Every part's cost per document in one run. */
export function costsOf(measurements: readonly Measurement[]): Costs {
  const parts = Object.fromEntries(Object.entries(PARTS).map(([part, spec]) => [part, costOf(spec, measurements)])) as Record<Part, Cost>;
  return { parts, documentBytes: documentBytesOf(measurements) };
}
