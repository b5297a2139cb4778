import { describe, expect, it } from 'vitest';
import { formatNumber, renderMarkdown } from '../src/markdown.js';
import { assemble } from '../src/results.js';
import { run } from './fixtures.js';

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
    expect(text).toContain('| consumer / raw bulk insert | 0.90× | ≥ 0.8× | met |');
    expect(text).toContain('| cost of authentication (1 - JWT / none) | 20.0 % | ≤ 10 % | not met |');
    expect(text).toContain('| seed replay, seconds | 4.00 | < 5.00 | met |');
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

describe('formatNumber', () => {
  it('uses separators for large figures and decimals for small ones', () => {
    expect(formatNumber(31234.6)).toBe('31,235');
    expect(formatNumber(42.25)).toBe('42.3');
    expect(formatNumber(0.5)).toBe('0.50');
  });
});
