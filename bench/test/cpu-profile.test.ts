import { describe, expect, it } from 'vitest';
import { areaOf, summarizeProfile, type CpuProfile } from '../src/cpu-profile.js';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

describe('summarizeProfile', () => {
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(idle)') },
      { id: 2, callFrame: frame('encode', 'file:///app/node_modules/kafkajs/src/encoder.js', 9) },
      { id: 3, callFrame: frame('verify', 'file:///app/services/ingest/dist/lib/tokens.js', 41) },
      { id: 4, callFrame: frame('(garbage collector)') },
    ],
    samples: [1, 2, 2, 3, 4, 1],
    startTime: 1_000_000,
    timeDeltas: [250_000, 100_000, 100_000, 300_000, 50_000, 200_000],
  };
  const summary = summarizeProfile(profile, 'ingest.cpuprofile');

  it('adds self time per area and function, idle counted in the wall time only', () => {
    expect(summary.wallSeconds).toBeCloseTo(1);
    expect(summary.cpuSeconds).toBeCloseTo(0.55);
    expect(summary.byArea[0]).toEqual({ name: '(idle)', percent: 45 });
    expect(summary.byArea).toContainEqual({ name: 'services/ingest', percent: 30 });
    expect(summary.topFunctions[0]).toEqual({ name: 'verify services/ingest/dist/lib/tokens.js:42', percent: 30 });
    expect(summary.topFunctions.map((f) => f.name)).not.toContain('(idle)');
  });

  it('summarizes only the samples inside the window', () => {
    // Sample times: 1.25, 1.35, 1.45, 1.75, 1.8, 2.0 s.
    const windowed = summarizeProfile(profile, 'x', { from: 1_300_000, to: 1_760_000 });
    expect(windowed.wallSeconds).toBeCloseTo(0.5);
    expect(windowed.byArea.map((a) => a.name)).toEqual(['services/ingest', 'kafkajs']);
  });

  it('keeps at most the asked number of rows', () => {
    expect(summarizeProfile(profile, 'x', undefined, 1).byArea).toHaveLength(1);
  });
});

describe('areaOf', () => {
  it('names packages, workspaces, node internals and native code', () => {
    expect(areaOf(frame('f', 'file:///a/node_modules/@fastify/ajv-compiler/x.js'))).toBe('@fastify/ajv-compiler');
    expect(areaOf(frame('f', 'file:///a/packages/kafka/dist/producer.js'))).toBe('packages/kafka');
    expect(areaOf(frame('f', 'node:internal/streams'))).toBe('node internals');
    expect(areaOf(frame('writev'))).toBe('(native) writev');
  });
});
