import { describe, expect, it } from 'vitest';
import { formatNumber, renderMarkdown } from '../src/markdown.js';
import { assemble } from '../src/results.js';
import { run, soakResult } from './fixtures.js';

describe('renderMarkdown', () => {
  const text = renderMarkdown(
    assemble({
      ...run(),
      ingestProfile: {
        file: 'bench/results/profiles/ingest.cpuprofile',
        wallSeconds: 20,
        cpuSeconds: 15,
        byArea: [{ name: 'kafkajs', percent: 30 }],
        topFunctions: [{ name: 'encode node_modules/kafkajs/x.js:10', percent: 12.5 }],
      },
    }),
  );

  it('shows the ratios before the measurements', () => {
    expect(text.indexOf('## Ratios')).toBeGreaterThan(-1);
    expect(text.indexOf('### Against the ceilings')).toBeLessThan(text.indexOf('### Against the peers'));
    expect(text.indexOf('### Goals')).toBeLessThan(text.indexOf('## Measurements'));
  });

  it('renders ratios, costs and goals with their verdict', () => {
    expect(text).toContain('| consumer / raw bulk insert | 0.90× | ≥ 0.9× | met |');
    expect(text).toContain('| cost of authentication (1 - JWT / none) | 20.0 % | ≤ 5 % | not met |');
    expect(text).toContain('| seed replay, seconds | 4.00 | < 3.00 | not met |');
  });

  it('shows no number for a peer that did not run, with the reason', () => {
    expect(text).toContain('| ingest single (JWT) / Kafka Bridge single | – | ≥ 1.5× | not measured: peer.bridge.single unavailable: not on Maven Central |');
    expect(text).toContain('| peer | Strimzi Kafka Bridge, single records | unavailable: not on Maven Central |');
  });

  it('lists the measurements, the profile, the machine, versions and parameters', () => {
    expect(text).toContain('| docpipe | ingest, single documents, JWT | 4,000 docs/s | 4.00 | 9.00 | 20.0 | 40,000 | 10.0 | 12 % | 1.00 → 3.50 |');
    expect(text).toContain("## Where ingest's time goes");
    expect(text).toContain('| 12.5 % | `encode node_modules/kafkajs/x.js:10` |');
    expect(text).toContain('Test CPU (2 cores, 24.0 GiB), Debian GNU/Linux 13 (trixie), kernel 6.1.0');
    expect(text).toContain('| kafka | 4.3.0 |');
    expect(text).toContain('| concurrency | 32 |');
  });

  it('shows the cores each process used, per measurement', () => {
    expect(text).toContain('| consumer draining a pre-filled topic | ferretdb (stack) 0.98, consumer 0.31 |');
  });

  it('escapes pipes in cells', () => {
    const results = assemble(run([{ id: 'peer.sink', params: {}, status: 'failed', reason: 'a | b' }]));
    expect(renderMarkdown(results)).toContain('failed: a \\| b');
  });
});

describe('the soak section', () => {
  const render = (soak: Parameters<typeof assemble>[0]['soak']) => renderMarkdown(assemble({ ...run(), soak }));

  it('gives the rate and where it came from, accepted = stored, and each series with its slope', () => {
    const text = render(soakResult());
    expect(text).toContain('## Soak');
    expect(text).toContain("120 s at 1,000 documents/s (half the 2,000 docs/s of ingest's single-document run with JWT in this run)");
    expect(text).toContain('**accepted = stored** (120,000)');
    expect(text).toContain('0.8 s after the last answer');
    expect(text).toContain('fits from 12 s on');
    expect(text).toMatch(/\| ingest RSS, MiB \| [\d.]+ \| [\d.]+ \| 104 \| \+1\.83 \| \+2\.00 \|/);
    expect(text).toContain('| consumer RSS, MiB | 80.0 | 80.0 | 80.0 | 0.00 | 0.00 |');
    expect(text).not.toContain('FAILED');
  });

  it('says loudly when accepted ≠ stored', () => {
    const text = render(soakResult({ status: 'failed', stored: 119_990, problems: ['accepted ≠ stored: 10 missing'] }));
    expect(text).toContain('**The soak FAILED**: accepted ≠ stored: 10 missing');
    expect(text).toContain('**accepted ≠ stored**: 120,000 accepted, 119,990 stored');
  });

  it('names the knob or the probe as the source of the rate', () => {
    expect(render(soakResult({ rateSource: { kind: 'knob' } }))).toContain('(set by BENCH_SOAK_RATE)');
    expect(render(soakResult({ rateSource: { kind: 'probe', capacity: 3000 } }))).toContain('half the 3,000 docs/s of a short capacity probe');
  });

  it('says why when the soak could not run, and has no section when it was not asked for', () => {
    expect(render({ unavailable: 'consumer exited during start-up' })).toContain('**The soak did not run**: consumer exited during start-up');
    expect(renderMarkdown(assemble(run()))).not.toContain('## Soak');
  });
});

describe('formatNumber', () => {
  it('uses separators for large figures and decimals for small ones', () => {
    expect(formatNumber(31234.6)).toBe('31,235');
    expect(formatNumber(42.25)).toBe('42.3');
    expect(formatNumber(0.5)).toBe('0.50');
  });
});
