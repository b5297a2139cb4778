// Kafka's own producer benchmark (org.apache.kafka.tools.ProducerPerformance, in the cached Kafka
// libs): the ceiling of writing records to this broker. Its summary line is parsed here (pure).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Outcome } from './results.js';

const run = promisify(execFile);

// "500000 records sent, 98765.4 records/sec (33.41 MB/sec), 120.5 ms avg latency, 800.0 ms max
// latency, 95 ms 50th, 300 ms 95th, 600 ms 99th, 790 ms 99.9th." With --warmup-records a second
// line starting "... steady state records sent" covers the records after the warm-up.
const SUMMARY =
  /^(\d+) (steady state )?records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th\.$/;

export interface ProducerPerformanceSummary {
  readonly records: number;
  readonly recordsPerSecond: number;
  readonly megabytesPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number };
  /** Whether the figures exclude the warm-up records. */
  readonly steadyState: boolean;
}

/** The summary of the tool's output: the steady-state line when there is one, else the whole run's. */
export function parseProducerPerformance(output: string): ProducerPerformanceSummary {
  const summaries = output
    .split('\n')
    .map((line) => SUMMARY.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({
      records: Number(m[1]),
      steadyState: m[2] !== undefined,
      recordsPerSecond: Number(m[3]),
      megabytesPerSecond: Number(m[4]),
      latencyMs: { p50: Number(m[7]), p95: Number(m[8]), p99: Number(m[9]), max: Number(m[6]) },
    }));
  const chosen = summaries.find((s) => s.steadyState) ?? summaries.at(-1);
  if (!chosen) throw new Error(`ProducerPerformance printed no summary line:\n${output.split('\n').slice(-10).join('\n')}`);
  return chosen;
}

export interface ProducerPerformanceRun {
  readonly kafkaHome: string;
  readonly log4jConfig: string;
  readonly brokers: string;
  readonly topic: string;
  readonly records: number;
  readonly warmupRecords: number;
  /** Newline-separated record values: the tool sends them in random order. */
  readonly payloadFile: string;
  /** A .properties file of the settings that must not show on a command line (SASL). */
  readonly producerConfigFile: string;
  /** Producer settings beyond bootstrap.servers, e.g. acks and batching. */
  readonly producerProps: Readonly<Record<string, string | number>>;
}

export async function producerPerformance(options: ProducerPerformanceRun): Promise<Outcome> {
  const { stdout } = await run(
    'java',
    [
      '-Xmx512m',
      `-Dlog4j2.configurationFile=${options.log4jConfig}`,
      '-cp',
      join(options.kafkaHome, 'libs', '*'),
      'org.apache.kafka.tools.ProducerPerformance',
      '--topic',
      options.topic,
      '--num-records',
      String(options.records + options.warmupRecords),
      '--warmup-records',
      String(options.warmupRecords),
      '--throughput',
      '-1',
      '--payload-file',
      options.payloadFile,
      '--producer.config',
      options.producerConfigFile,
      '--producer-props',
      `bootstrap.servers=${options.brokers}`,
      ...Object.entries(options.producerProps).map(([name, value]) => `${name}=${value}`),
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const summary = parseProducerPerformance(stdout);
  return {
    status: 'ok',
    throughput: summary.recordsPerSecond,
    count: summary.records,
    seconds: summary.records / summary.recordsPerSecond,
    latencyMs: summary.latencyMs,
    notes: [`${summary.megabytesPerSecond} MB/s`, ...(summary.steadyState ? [] : ['the tool printed no steady-state line: warm-up included'])],
  };
}
