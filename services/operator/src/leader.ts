// Leader election on a coordination.k8s.io Lease, the way client-go's leaderelection does it:
// the holder renews the Lease; a candidate takes it once it has seen no renewal for a whole
// lease duration (measured on its own clock, so clocks need not agree); every write carries the
// resourceVersion it read, so two candidates cannot both win.
import { V1MicroTime, type V1Lease } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import { apiMessage, isConflict, isNotFound, type Kube } from './kube.js';

export interface LeaderElectorOptions {
  readonly kube: Kube;
  readonly namespace: string;
  readonly lease: string;
  readonly identity: string;
  readonly leaseDurationMs: number;
  /** How often the leader renews and a candidate tries. */
  readonly retryMs: number;
  readonly clock: Clock;
  readonly log: Logger;
  readonly onStartedLeading: () => void;
  /** Leadership lost or given up: the work must stop at once. */
  readonly onStoppedLeading: () => void;
}

export class LeaderElector {
  readonly #o: LeaderElectorOptions;
  #leading = false;
  #stopped = false;
  #cancel: (() => void) | undefined;
  /** The record last read, and when this replica first saw it. */
  #observed: { holder: string | undefined; renewTime: string | undefined; at: number } | undefined;
  #lastRenew = 0;
  #lastContact = 0;
  #running: Promise<void> | undefined;

  constructor(options: LeaderElectorOptions) {
    this.#o = options;
  }

  get isLeader(): boolean {
    return this.#leading;
  }

  /** The API server answered a Lease call within the last lease duration. */
  get inContact(): boolean {
    return this.#o.clock.now().getTime() - this.#lastContact < this.#o.leaseDurationMs;
  }

  start(): void {
    const tick = () => {
      if (this.#stopped) return;
      this.#running = this.#round().finally(() => {
        this.#running = undefined;
        if (!this.#stopped) this.#cancel = this.#o.clock.after(this.#o.retryMs, tick);
      });
    };
    tick();
  }

  /** Stops campaigning; a leader hands the Lease back, so another replica need not wait it out. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancel?.();
    await this.#running;
    if (!this.#leading) return;
    this.#setLeading(false);
    try {
      const lease = await this.#read();
      if (lease?.spec?.holderIdentity === this.#o.identity) {
        await this.#o.kube.coordination.replaceNamespacedLease({
          name: this.#o.lease,
          namespace: this.#o.namespace,
          body: { ...lease, spec: { ...lease.spec, holderIdentity: undefined, leaseDurationSeconds: 1 } },
        });
      }
    } catch (error) {
      this.#o.log.warn({ error: apiMessage(error) }, 'could not release the leader Lease; another replica takes it once it expires');
    }
  }

  async #read(): Promise<V1Lease | undefined> {
    try {
      return await this.#o.kube.coordination.readNamespacedLease({ name: this.#o.lease, namespace: this.#o.namespace });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async #round(): Promise<void> {
    const now = this.#o.clock.now();
    try {
      const acquired = await this.#tryAcquireOrRenew(now);
      this.#lastContact = now.getTime();
      if (acquired) {
        this.#lastRenew = now.getTime();
        if (!this.#leading) this.#setLeading(true);
      } else if (this.#leading) this.#setLeading(false);
    } catch (error) {
      if (!isConflict(error)) this.#o.log.warn({ error: apiMessage(error) }, 'leader election round failed');
      if (this.#leading && !this.#stillValid(now)) this.#setLeading(false);
    }
  }

  /** A leader that cannot renew stops before its Lease could have passed to another replica. */
  #stillValid(now: Date): boolean {
    return now.getTime() - this.#lastRenew < this.#o.leaseDurationMs - this.#o.retryMs;
  }

  #setLeading(leading: boolean) {
    this.#leading = leading;
    this.#o.log.info({ identity: this.#o.identity, lease: this.#o.lease }, leading ? 'became the leader' : 'stopped leading');
    if (leading) this.#o.onStartedLeading();
    else this.#o.onStoppedLeading();
  }

  async #tryAcquireOrRenew(now: Date): Promise<boolean> {
    const { kube, lease: name, namespace, identity } = this.#o;
    const leaseDurationSeconds = Math.ceil(this.#o.leaseDurationMs / 1000);
    // The API server takes Lease times with microseconds only.
    const stamp = new V1MicroTime(now.getTime());
    const lease = await this.#read();
    if (!lease) {
      await kube.coordination.createNamespacedLease({
        namespace,
        body: { metadata: { name, namespace }, spec: { holderIdentity: identity, leaseDurationSeconds, acquireTime: stamp, renewTime: stamp, leaseTransitions: 0 } },
      });
      return true;
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity || undefined;
    const renewTime = spec.renewTime ? new Date(spec.renewTime).toISOString() : undefined;
    const previous = this.#observed;
    const observed = previous && previous.holder === holder && previous.renewTime === renewTime ? previous : { holder, renewTime, at: now.getTime() };
    this.#observed = observed;
    const heldFor = (spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
    const expired = observed.at + heldFor <= now.getTime();
    if (holder !== undefined && holder !== identity && !expired) return false;
    const mine = holder === identity;
    await kube.coordination.replaceNamespacedLease({
      name,
      namespace,
      body: {
        ...lease,
        spec: {
          holderIdentity: identity,
          leaseDurationSeconds,
          acquireTime: mine ? spec.acquireTime : stamp,
          renewTime: stamp,
          leaseTransitions: (spec.leaseTransitions ?? 0) + (mine ? 0 : 1),
        },
      },
    });
    return true;
  }
}
