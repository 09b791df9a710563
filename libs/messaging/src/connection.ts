/*
 * One AMQP connection per process, with recovery written by hand on amqplib.
 *
 * Why not amqp-connection-manager (or amqplib's own opt-in `recovery`)? We need exact control over:
 *  - publisher confirms together with `mandatory` returns, matched per message, and a fast
 *    BrokerUnavailableError while disconnected instead of an in-memory buffer that is lost on a crash
 *    (the outbox is our durable buffer);
 *  - readiness and liveness: "connected" here means the TCP connection AND every managed channel are open,
 *    so a consumer whose channel the broker closed (a PRECONDITION_FAILED declaration, an ack timeout, a
 *    deleted queue) makes the process not ready, and, if it stays so, not live: it is never a zombie;
 *  - consumer recovery: each managed channel re-runs its own setup (prefetch, declare, consume) after a
 *    reconnect AND after the broker closes just that channel while the connection stays up.
 */
import * as amqp from 'amqplib';
import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib';
import type { Logger } from '@ttelgo/observability';

export interface AmqpConnectionOptions {
  url: string;
  /** Shown in the RabbitMQ management UI as the connection name. */
  name: string;
  logger: Logger;
  /** Default 10 s: a dead peer is noticed after about two missed heartbeats. */
  heartbeatSeconds?: number;
  /** Exponential backoff with jitter between attempts. Default { initialMs: 200, maxMs: 15000 }. */
  reconnect?: { initialMs: number; maxMs: number };
}

export type DeclareHook = (ch: Channel) => Promise<void>;

export interface ManagedChannelOptions<C extends Channel> {
  /** For logs. */
  name: string;
  /** Runs on every (re)open before the channel is handed out: listeners, prefetch, declarations, consume. */
  setup?: (ch: C) => Promise<void>;
  /** Called once per opened channel when it closes (for whatever reason). */
  onClose?: (ch: C) => void;
}

/** Exponential backoff with "equal jitter": half of the delay is fixed, half random, capped at maxMs. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number): number {
  const exp = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + Math.random() * (exp / 2));
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A channel that is re-opened (and re-set-up) after a reconnect or after the broker closed it. */
export class ManagedChannel<C extends Channel = Channel> {
  private current: C | undefined;
  private opening = false;
  private closed = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private waiters = new Set<() => void>();

  /** @internal created through AmqpConnection.channel() */
  constructor(
    private readonly conn: AmqpConnection,
    private readonly confirm: boolean,
    private readonly opts: ManagedChannelOptions<C>,
  ) {}

  /** The open channel, or undefined while it is (re)opening or the broker is down. */
  get channel(): C | undefined {
    return this.current;
  }

  get isOpen(): boolean {
    return this.current !== undefined;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Resolves with the channel once it is open, or undefined after timeoutMs (or when closed). */
  async waitForOpen(timeoutMs: number): Promise<C | undefined> {
    if (this.current || this.closed) return this.current;
    return new Promise<C | undefined>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve(this.current);
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
  }

  /** Stops managing the channel and closes it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const ch = this.current;
    this.current = undefined;
    this.wake();
    this.conn.forget(this as unknown as ManagedChannel<Channel>);
    if (ch) {
      try {
        await ch.close();
      } catch {
        // already closed together with its connection
      }
    }
  }

  /** @internal (re)opens the channel on the current connection unless it is open or opening. */
  ensureOpen(): void {
    if (this.closed || this.opening || this.current) return;
    const model = this.conn.model();
    if (!model) return; // the connection re-opens every managed channel when it is back
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.opening = true;
    void this.open(model).finally(() => {
      this.opening = false;
    });
  }

  private async open(model: ChannelModel): Promise<void> {
    let ch: C | undefined;
    try {
      ch = (this.confirm ? await model.createConfirmChannel() : await model.createChannel()) as C;
      const opened = ch;
      // Without an 'error' listener a channel error would be thrown as an uncaught exception.
      opened.on('error', (err: Error) => {
        this.conn.logger.warn({ err, channel: this.opts.name }, 'AMQP channel error');
      });
      opened.on('close', () => this.onChannelClosed(opened));
      if (this.opts.setup) await this.opts.setup(opened);
      if (this.closed) {
        await opened.close().catch(() => undefined);
        return;
      }
      this.current = opened;
      if (this.failures > 0) this.conn.logger.info({ channel: this.opts.name }, 'AMQP channel re-opened');
      this.failures = 0;
      this.conn.healthChanged();
      this.wake();
    } catch (err) {
      this.failures += 1;
      this.conn.logger.error(
        { err, channel: this.opts.name, failures: this.failures },
        'AMQP channel could not be opened; retrying (the process is not ready meanwhile)',
      );
      if (ch) await ch.close().catch(() => undefined);
      this.scheduleRetry();
    }
  }

  private onChannelClosed(ch: C): void {
    try {
      this.opts.onClose?.(ch);
    } catch (err) {
      this.conn.logger.error({ err, channel: this.opts.name }, 'AMQP channel close handler failed');
    }
    if (this.current !== ch) return; // a channel that failed during setup: open() schedules the retry
    this.current = undefined;
    this.conn.healthChanged();
    if (this.closed) return;
    this.failures += 1;
    if (this.conn.model()) {
      this.conn.logger.warn({ channel: this.opts.name }, 'AMQP channel closed by the broker; re-opening');
    }
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) return;
    const { initialMs, maxMs } = this.conn.reconnectPolicy;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.ensureOpen();
    }, backoffDelay(this.failures, initialMs, maxMs));
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

export class AmqpConnection {
  readonly logger: Logger;
  /** @internal */
  readonly reconnectPolicy: { initialMs: number; maxMs: number };
  private readonly url: string;
  private readonly heartbeatSeconds: number;
  private readonly hooks: DeclareHook[] = [];
  private readonly channels = new Set<ManagedChannel<Channel>>();
  private current: ChannelModel | undefined;
  private started = false;
  private closing = false;
  private connecting: Promise<void> | undefined;
  private sleepTimer: NodeJS.Timeout | undefined;
  private wakeSleep: (() => void) | undefined;
  private unhealthySince: number | undefined = Date.now();
  private readonly lost = new WeakSet<ChannelModel>();

  constructor(private readonly opts: AmqpConnectionOptions) {
    this.logger = opts.logger;
    this.url = opts.url;
    this.heartbeatSeconds = opts.heartbeatSeconds ?? 10;
    this.reconnectPolicy = opts.reconnect ?? { initialMs: 200, maxMs: 15_000 };
  }

  /**
   * Connects (retrying with backoff until it succeeds) and runs the declare hooks. A declare hook that fails on
   * the first connection rejects start(): a topology that contradicts the broker is a deployment error.
   */
  async start(): Promise<void> {
    if (this.started) throw new Error('AmqpConnection already started');
    this.started = true;
    await this.connectLoop(true);
  }

  /** Readiness: connected, topology declared, and every managed channel (publishers, consumers) open. */
  isConnected(): boolean {
    if (!this.current) return false;
    for (const ch of this.channels) if (!ch.isOpen) return false;
    return true;
  }

  /** Liveness: how long isConnected() has been false (0 while connected). */
  disconnectedForMs(): number {
    this.healthChanged();
    return this.unhealthySince === undefined ? 0 : Date.now() - this.unhealthySince;
  }

  /** Topology hooks run on a fresh channel after every (re)connect, before any managed channel re-opens. */
  declare(fn: DeclareHook): void {
    this.hooks.push(fn);
    const model = this.current;
    if (!model) return;
    // Registered while connected: run it now; if it fails, recycle the connection so it runs again with backoff.
    void this.runHooks(model, [fn]).catch((err) => {
      this.logger.error({ err, connection: this.opts.name }, 'AMQP topology declaration failed; reconnecting');
      void model.close().catch(() => undefined);
    });
  }

  /** The channel factory: a channel that comes back after reconnects and broker-side channel closes. */
  channel(opts: ManagedChannelOptions<Channel>): ManagedChannel<Channel> {
    return this.register(new ManagedChannel<Channel>(this, false, opts));
  }

  confirmChannel(opts: ManagedChannelOptions<ConfirmChannel>): ManagedChannel<ConfirmChannel> {
    return this.register(new ManagedChannel<ConfirmChannel>(this, true, opts));
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.wakeSleep?.();
    await this.connecting?.catch(() => undefined);
    await Promise.all([...this.channels].map((ch) => ch.close()));
    const model = this.current;
    this.current = undefined;
    if (model) {
      try {
        await model.close();
      } catch {
        // the broker already went away
      }
    }
    this.logger.info({ connection: this.opts.name }, 'AMQP connection closed');
  }

  /** @internal the open connection, if any */
  model(): ChannelModel | undefined {
    return this.current;
  }

  /** @internal */
  forget(ch: ManagedChannel<Channel>): void {
    this.channels.delete(ch);
    this.healthChanged();
  }

  /** @internal keeps the "unhealthy since" clock right; called on every state change. */
  healthChanged(): void {
    const healthy = this.isConnected();
    if (healthy) this.unhealthySince = undefined;
    else this.unhealthySince ??= Date.now();
  }

  private register<C extends Channel>(ch: ManagedChannel<C>): ManagedChannel<C> {
    if (this.closing) throw new Error('AmqpConnection is closed');
    this.channels.add(ch as unknown as ManagedChannel<Channel>);
    this.healthChanged();
    ch.ensureOpen();
    return ch;
  }

  private connectLoop(initial: boolean): Promise<void> {
    if (this.connecting) return this.connecting;
    this.connecting = (async () => {
      let attempt = 0;
      while (!this.closing) {
        attempt += 1;
        let model: ChannelModel | undefined;
        try {
          model = await this.connectOnce();
        } catch (err) {
          this.logger.warn({ err: errorMessage(err), attempt, connection: this.opts.name }, 'AMQP connect failed');
          await this.sleep(backoffDelay(attempt, this.reconnectPolicy.initialMs, this.reconnectPolicy.maxMs));
          continue;
        }
        try {
          await this.runHooks(model, this.hooks);
        } catch (err) {
          const connectionLost = this.lost.has(model);
          await model.close().catch(() => undefined);
          // Only a refused declaration (not a connection that dropped meanwhile) is a deployment error.
          if (initial && !connectionLost) throw err;
          this.logger.error({ err, attempt, connection: this.opts.name }, 'AMQP topology declaration failed; retrying');
          await this.sleep(backoffDelay(attempt, this.reconnectPolicy.initialMs, this.reconnectPolicy.maxMs));
          continue;
        }
        if (this.closing) {
          await model.close().catch(() => undefined);
          return;
        }
        this.current = model;
        this.logger.info({ connection: this.opts.name, attempt }, 'AMQP connected');
        this.healthChanged();
        for (const ch of this.channels) ch.ensureOpen();
        return;
      }
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connectOnce(): Promise<ChannelModel> {
    const url = new URL(this.url);
    url.searchParams.set('heartbeat', String(this.heartbeatSeconds));
    // A connect timeout: a black-holed broker address would otherwise hang an attempt for minutes (OS TCP timeout).
    // noDelay: small RPC frames must not wait for Nagle + delayed ACK (~20-40 ms per round trip otherwise).
    const model = await amqp.connect(url.toString(), {
      timeout: 10_000,
      noDelay: true,
      clientProperties: { connection_name: this.opts.name },
    });
    // An 'error' without a listener would crash the process; the 'close' that follows drives recovery.
    model.on('error', (err: Error) => {
      this.logger.warn({ err, connection: this.opts.name }, 'AMQP connection error');
    });
    model.on('close', () => {
      this.lost.add(model);
      this.onConnectionClosed(model);
    });
    model.on('blocked', (reason: string) => {
      this.logger.warn({ reason, connection: this.opts.name }, 'AMQP connection blocked by the broker (resource alarm)');
    });
    model.on('unblocked', () => {
      this.logger.info({ connection: this.opts.name }, 'AMQP connection unblocked');
    });
    return model;
  }

  private onConnectionClosed(model: ChannelModel): void {
    if (this.current !== model) return;
    this.current = undefined;
    this.healthChanged();
    if (this.closing) return;
    this.logger.warn({ connection: this.opts.name }, 'AMQP connection lost; reconnecting');
    void this.connectLoop(false).catch((err) => {
      // connectLoop(false) never rethrows; this is only a guard against an unexpected bug.
      this.logger.fatal({ err }, 'AMQP reconnect loop crashed');
    });
  }

  private async runHooks(model: ChannelModel, hooks: DeclareHook[]): Promise<void> {
    for (const hook of hooks) {
      const ch = await model.createChannel();
      ch.on('error', (err: Error) => {
        this.logger.warn({ err, connection: this.opts.name }, 'AMQP declare channel error');
      });
      await hook(ch);
      await ch.close().catch(() => undefined);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.closing) return resolve();
      this.wakeSleep = () => {
        clearTimeout(this.sleepTimer);
        this.wakeSleep = undefined;
        resolve();
      };
      this.sleepTimer = setTimeout(() => this.wakeSleep?.(), ms);
    });
  }
}
