// Two operator replicas and a crash, against a real kube-apiserver: one leader reconciles, the
// other takes over when it stops; an operator process killed in the middle of a reconcile is
// replaced by another that converges without creating anything twice.
import { Watch } from '@kubernetes/client-node';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { RunningOperator } from '../src/operator.js';
import { eventually, kubeConfigFrom, NAMESPACE, root, TestCluster } from './support/cluster.js';
import { operatorEnv, startTestOperator } from './support/operator.js';

let cluster: TestCluster;
const running = new Set<RunningOperator>();
const processes = new Set<ChildProcess>();

beforeAll(() => {
  cluster = TestCluster.start('operator-leader');
  // The crash test runs the built server, as the image does.
  execFileSync(join(root, 'node_modules/.bin/tsc'), ['-b', 'services/operator'], { cwd: root, stdio: 'inherit' });
}, 600_000);

afterAll(async () => {
  for (const p of processes) p.kill('SIGKILL');
  await Promise.all([...running].map((o) => o.stop()));
  cluster?.stop();
});

const pipeline = (name: string) => {
  const r = parse(readFileSync(join(root, 'pipelines', 'orders.yaml'), 'utf8'));
  r.metadata.name = name;
  return stringify(r);
};
const lease = async () => (await cluster.kube.coordination.readNamespacedLease({ name: 'docpipe-operator', namespace: NAMESPACE })).spec;
const childCount = async (name: string) => (await cluster.children(name)).size;
/** Everything a pipeline with an inbox gets (see operator.int.test.ts for the list). */
const CHILDREN = 15;

describe('two replicas', () => {
  it('elect one leader, which reconciles; the other takes over when it stops', async () => {
    const a = await startTestOperator(cluster, 'replica-a');
    running.add(a);
    const b = await startTestOperator(cluster, 'replica-b');
    running.add(b);
    const leader = await eventually(async () => (a.isLeader() !== b.isLeader() ? (a.isLeader() ? a : b) : undefined), 'one leader');
    const standby = leader === a ? b : a;
    expect((await lease())?.holderIdentity).toBe(leader === a ? 'replica-a' : 'replica-b');
    const metricsOf = async (o: RunningOperator) => (await fetch(`http://127.0.0.1:${o.port}/metrics`)).text();
    expect(await metricsOf(standby)).toMatch(/^operator_leader 0/m);

    cluster.must(['-n', NAMESPACE, 'apply', '--server-side', '-f', '-'], pipeline('first'));
    await eventually(async () => ((await childCount('first')) === CHILDREN ? true : undefined), 'the children of first');
    // Both replicas watch nothing but the Lease until they lead: the standby has reconciled nothing.
    expect(await metricsOf(standby)).not.toMatch(/^operator_reconciles_total\{/m);

    await leader.stop();
    running.delete(leader);
    await eventually(async () => (standby.isLeader() ? true : undefined), 'the standby leading', 10_000);
    expect((await lease())?.holderIdentity).toBe(standby === a ? 'replica-a' : 'replica-b');
    cluster.must(['-n', NAMESPACE, 'apply', '--server-side', '-f', '-'], pipeline('second'));
    await eventually(async () => ((await childCount('second')) === CHILDREN ? true : undefined), 'the children of second');

    await standby.stop();
    running.delete(standby);
    // A replica that stops hands the Lease back.
    expect((await lease())?.holderIdentity ?? '').toBe('');
  }, 120_000);
});

describe('an operator killed in the middle of a reconcile', () => {
  const startProcess = (identity: string) => {
    const child = spawn(process.execPath, [join(root, 'services/operator/dist/server.js')], {
      env: { ...process.env, ...operatorEnv(identity, { LOG_LEVEL: 'info' }), KUBECONFIG: cluster.operatorKubeconfig },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    processes.add(child);
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    return { child, output: () => output };
  };

  it('is replaced by one that converges, creating nothing twice', async () => {
    const first = startProcess('process-a');
    await eventually(async () => ((await lease())?.holderIdentity === 'process-a' ? true : undefined), 'process-a leading', 20_000);

    // SIGKILL as soon as the first child of the pipeline exists: the reconcile is under way.
    const watch = new Watch(kubeConfigFrom(cluster.kubeconfig));
    let signalled = false;
    const killed = new Promise<void>((resolve, reject) => {
      void watch
        .watch(`/apis/kafka.strimzi.io/v1/namespaces/${NAMESPACE}/kafkatopics`, { labelSelector: 'docpipe.dev/pipeline=crash' }, (type: string) => {
          if (type !== 'ADDED' || signalled) return;
          first.child.kill('SIGKILL');
          signalled = true;
          resolve();
        }, (error: unknown) => error && reject(error))
        .then((controller) => killed.finally(() => controller.abort()));
    });
    cluster.must(['-n', NAMESPACE, 'apply', '--server-side', '-f', '-'], pipeline('crash'));
    await killed;
    await once(first.child, 'exit');
    const atKill = await cluster.children('crash');
    const resource = JSON.parse(cluster.must(['-n', NAMESPACE, 'get', 'documentpipeline', 'crash', '-o', 'json']));
    console.log(`killed with ${atKill.size} of ${CHILDREN} children applied, status ${resource.status ? 'written' : 'not yet written'}`);
    expect(atKill.size).toBeLessThan(CHILDREN);
    expect(resource.status).toBeUndefined();

    const second = startProcess('process-b');
    // process-b waits out process-a's Lease, which nobody renews any more.
    await eventually(async () => ((await childCount('crash')) === CHILDREN ? true : undefined), 'the children of crash', 30_000);
    const after = await cluster.children('crash');
    for (const [name, before] of atKill) expect(after.get(name)?.metadata?.uid, `${name} was replaced`).toBe(before.metadata?.uid);
    await cluster.markKafkaReady('crash');
    await eventually(async () => {
      const p = JSON.parse(cluster.must(['-n', NAMESPACE, 'get', 'documentpipeline', 'crash', '-o', 'json']));
      return p.status?.conditions?.find((c: { type: string; status: string }) => c.type === 'Ready')?.status === 'True' ? p : undefined;
    }, 'crash Ready');
    // Exactly the wanted objects, each once, whichever replica applied it.
    expect([...(await cluster.children('crash')).keys()].sort()).toEqual([...after.keys()].sort());
    expect((await lease())?.holderIdentity).toBe('process-b');

    second.child.kill('SIGTERM');
    const [code] = await once(second.child, 'exit');
    expect(code, second.output()).toBe(0);
    expect((await lease())?.holderIdentity ?? '').toBe('');
  }, 120_000);
});
