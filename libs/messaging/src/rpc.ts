import type { Channel, ConsumeMessage, Message } from 'amqplib';
import {
  RpcReplySchema,
  createEnvelope,
  formatIssues,
  parseEnvelope,
  routeFor,
  rpcQueue,
  type Envelope,
  type RpcContract,
  type RpcReply,
} from '@ttelgo/contracts';
import {
  getContext,
  injectTraceHeaders,
  runWithContext,
  withConsumerSpan,
  withSpan,
  type Logger,
  type ServiceMetrics,
} from '@ttelgo/observability';
import type { AmqpConnection, ManagedChannel } from './connection';
import { BrokerUnavailableError, RpcRemoteError, RpcTimeoutError, UnroutableError } from './errors';
import { declareRpcQueue } from './topology';

/** RabbitMQ's direct reply-to pseudo queue: no reply queue to declare, replies come back on the calling channel. */
export const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';

export interface RpcServerOptions {
  /** The service that owns the queue `ttelgo.rpc.<owner>`. */
  owner: string;
  logger: Logger;
  metrics?: ServiceMetrics;
  /** Default 20. */
  prefetch?: number;
}

type AnyRpcHandler = {
  contract: RpcContract<unknown, unknown>;
  fn: (req: unknown, envelope: Envelope<unknown>) => Promise<unknown>;
};

/** An error the handler threw on purpose, with a code and an HTTP-like status (AppError and friends). */
function codedError(err: unknown): { code: string; status: number; message: string } | undefined {
  if (!err || typeof err !== 'object') return undefined;
  const { code, status, message } = err as { code?: unknown; status?: unknown; message?: unknown };
  if (typeof code !== 'string' || typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599) {
    return undefined;
  }
  return { code, status, message: typeof message === 'string' ? message : code };
}

/** Serves the owner's RPC queue; routes each request by its AMQP `type` to the registered contract handler. */
export class RpcServer {
  private readonly logger: Logger;
  private readonly handlers = new Map<string, AnyRpcHandler>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly tags = new WeakMap<Channel, string>();
  private channel: ManagedChannel<Channel> | undefined;
  private stopping = false;

  constructor(
    private readonly conn: AmqpConnection,
    private readonly opts: RpcServerOptions,
  ) {
    this.logger = opts.logger.child({ rpcQueue: rpcQueue(opts.owner) });
  }

  handle<Req, Res>(contract: RpcContract<Req, Res>, fn: (req: Req, envelope: Envelope<Req>) => Promise<Res>): void {
    if (contract.kind !== 'rpc' || contract.owner !== this.opts.owner) {
      throw new Error(`${contract.name} is not an RPC of ${this.opts.owner}`);
    }
    if (this.handlers.has(contract.name)) throw new Error(`a handler for ${contract.name} is already registered`);
    this.handlers.set(contract.name, { contract, fn } as unknown as AnyRpcHandler);
  }

  /** Declares the queue and starts consuming; resolves once consuming (or throws if not connected). */
  async start(): Promise<void> {
    if (this.channel) throw new Error('RpcServer already started');
    const queue = rpcQueue(this.opts.owner);
    this.channel = this.conn.channel({
      name: `rpc server ${queue}`,
      setup: async (ch) => {
        await declareRpcQueue(ch, this.opts.owner);
        if (this.stopping) return;
        await ch.prefetch(this.opts.prefetch ?? 20);
        const { consumerTag } = await ch.consume(
          queue,
          (msg) => {
            if (msg) this.track(this.onRequest(ch, msg));
            else if (!this.stopping) void ch.close().catch(() => undefined); // cancelled by the broker: re-open
          },
          { noAck: false },
        );
        this.tags.set(ch, consumerTag);
      },
    });
    if (!(await this.channel.waitForOpen(10_000))) {
      await this.channel.close();
      this.channel = undefined;
      throw new BrokerUnavailableError(`RPC server for ${queue} could not start consuming`);
    }
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const ch = this.channel?.channel;
    const tag = ch ? this.tags.get(ch) : undefined;
    if (ch && tag) await ch.cancel(tag).catch(() => undefined);
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.channel?.close();
  }

  private track(work: Promise<void>): void {
    const tracked = work
      .catch((err) => this.logger.error({ err }, 'RPC server bug: request handling failed unexpectedly'))
      .finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private async onRequest(ch: Channel, msg: ConsumeMessage): Promise<void> {
    const started = process.hrtime.bigint();
    const props = msg.properties;
    const type = typeof props.type === 'string' ? props.type : 'unknown';
    let reply: RpcReply<unknown>;
    let outcome: string;
    const handler = this.handlers.get(type);
    let raw: unknown;
    try {
      raw = JSON.parse(msg.content.toString('utf8'));
    } catch {
      raw = undefined;
    }
    const parsed = handler && raw !== undefined ? parseEnvelope(handler.contract, raw) : undefined;
    if (!handler) {
      reply = { ok: false, error: { code: 'UNKNOWN_RPC', status: 501, message: `no handler for ${type} on ${this.opts.owner}` } };
      outcome = 'invalid';
    } else if (!parsed || !parsed.ok) {
      const reason = parsed && !parsed.ok ? parsed.reason : 'body is not JSON';
      reply = { ok: false, error: { code: 'INVALID_REQUEST', status: 400, message: reason } };
      outcome = 'invalid';
    } else {
      const envelope = parsed.envelope;
      [reply, outcome] = await runWithContext({ correlationId: envelope.correlationId, causationId: envelope.id }, () =>
        withConsumerSpan(`rpc ${type}`, props.headers, () => this.invoke(handler, envelope)),
      );
    }
    if (outcome === 'invalid') this.logger.warn({ type, messageId: props.messageId, error: reply }, 'invalid RPC request');

    if (typeof props.replyTo === 'string' && props.replyTo) {
      try {
        ch.sendToQueue(props.replyTo, Buffer.from(JSON.stringify(reply)), {
          correlationId: props.correlationId,
          contentType: 'application/json',
          type: `${type}.reply`,
          headers: props.headers?.['x-correlation-id'] ? { 'x-correlation-id': props.headers['x-correlation-id'] } : {},
        });
      } catch (err) {
        this.logger.warn({ err, type }, 'could not send the RPC reply (channel closed); the caller will time out');
      }
    } else {
      this.logger.warn({ type, messageId: props.messageId }, 'RPC request without replyTo; nobody to answer');
    }
    try {
      ch.ack(msg);
    } catch {
      // channel closed: the request is redelivered unless it expired meanwhile
    }
    this.opts.metrics?.rpcDuration.observe({ type, outcome }, Number(process.hrtime.bigint() - started) / 1e9);
  }

  private async invoke(handler: AnyRpcHandler, envelope: Envelope<unknown>): Promise<[RpcReply<unknown>, string]> {
    try {
      const result = await handler.fn(envelope.data, envelope);
      // Our own reply is "published": validated strictly, a violation is a bug of this service (500).
      const checked = handler.contract.strictResponseSchema.safeParse(result);
      if (!checked.success) {
        this.logger.error({ type: envelope.type, issues: formatIssues(checked.error) }, 'RPC handler returned a response that violates its contract');
        return [{ ok: false, error: { code: 'INTERNAL_ERROR', status: 500, message: 'internal error' } }, 'error'];
      }
      return [{ ok: true, data: checked.data }, 'ok'];
    } catch (err) {
      const coded = codedError(err);
      if (coded) {
        if (coded.status >= 500) this.logger.error({ err, type: envelope.type }, 'RPC handler failed');
        return [{ ok: false, error: coded }, 'remote-error'];
      }
      this.logger.error({ err, type: envelope.type }, 'RPC handler failed unexpectedly');
      return [{ ok: false, error: { code: 'INTERNAL_ERROR', status: 500, message: 'internal error' } }, 'error'];
    }
  }
}

export interface RpcClientOptions {
  logger: Logger;
  metrics?: ServiceMetrics;
  /** Envelope `producer` of the requests. */
  producer: string;
  /** Default per-call timeout. Default 5000 ms. */
  defaultTimeoutMs?: number;
}

interface PendingCall {
  type: string;
  channel: Channel;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  contract: RpcContract<unknown, unknown>;
  timer: NodeJS.Timeout;
}

/**
 * Calls RPCs over direct reply-to. Publishing and consuming the replies must happen on the same channel, and the
 * reply consumer must exist before the first publish; after a reconnect the channel (and so the consumer) is new,
 * and calls still waiting on the old one are failed at once: their replies can never arrive.
 */
export class RpcClient {
  private readonly logger: Logger;
  private readonly pending = new Map<string, PendingCall>();
  private channel: ManagedChannel<Channel> | undefined;
  private readonly ready = new WeakSet<Channel>();

  constructor(
    private readonly conn: AmqpConnection,
    private readonly opts: RpcClientOptions,
  ) {
    this.logger = opts.logger;
  }

  async start(): Promise<void> {
    if (this.channel) throw new Error('RpcClient already started');
    this.channel = this.conn.channel({
      name: 'rpc client',
      setup: async (ch) => {
        ch.on('return', (msg: Message) => this.onReturn(msg));
        await ch.consume(DIRECT_REPLY_TO, (msg) => msg && this.onReply(ch, msg), { noAck: true });
        this.ready.add(ch);
      },
      onClose: (ch) => this.failCallsOn(ch, new BrokerUnavailableError('RabbitMQ channel closed before the RPC reply arrived')),
    });
    if (!(await this.channel.waitForOpen(10_000))) {
      await this.channel.close();
      this.channel = undefined;
      throw new BrokerUnavailableError('RPC client could not open its channel');
    }
  }

  async call<Req, Res>(contract: RpcContract<Req, Res>, request: Req, opts: { timeoutMs?: number } = {}): Promise<Res> {
    const timeoutMs = opts.timeoutMs ?? this.opts.defaultTimeoutMs ?? 5000;
    const started = process.hrtime.bigint();
    let outcome = 'ok';
    try {
      return await withSpan(`rpc ${contract.name}`, () => this.send(contract, request, timeoutMs), 'client');
    } catch (err) {
      outcome =
        err instanceof RpcTimeoutError ? 'timeout' : err instanceof RpcRemoteError ? 'remote-error' : err instanceof BrokerUnavailableError ? 'unavailable' : 'error';
      throw err;
    } finally {
      this.opts.metrics?.rpcDuration.observe({ type: contract.name, outcome }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  async stop(): Promise<void> {
    const channel = this.channel;
    if (!channel) return;
    for (const [id, call] of [...this.pending]) {
      this.pending.delete(id);
      clearTimeout(call.timer);
      call.reject(new BrokerUnavailableError('RPC client stopped'));
    }
    await channel.close();
  }

  private send<Req, Res>(contract: RpcContract<Req, Res>, request: Req, timeoutMs: number): Promise<Res> {
    const ch = this.channel?.channel;
    // Fail fast: the gateway answers 503 at once instead of waiting for a timeout that cannot end well.
    if (!this.conn.model() || !ch || !this.ready.has(ch)) {
      return Promise.reject(new BrokerUnavailableError('RabbitMQ is not connected'));
    }
    const ctx = getContext();
    const envelope = createEnvelope(contract, request, {
      producer: this.opts.producer,
      correlationId: ctx.correlationId ?? ctx.requestId ?? globalThis.crypto.randomUUID(),
      ...(ctx.causationId ? { causationId: ctx.causationId } : {}),
    });
    const headers: Record<string, unknown> = { 'x-correlation-id': envelope.correlationId };
    injectTraceHeaders(headers);
    const route = routeFor(contract);
    return new Promise<Res>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.pending.delete(envelope.id)) reject(new RpcTimeoutError(contract.name, timeoutMs));
      }, timeoutMs);
      this.pending.set(envelope.id, {
        type: contract.name,
        channel: ch,
        resolve: resolve as (value: unknown) => void,
        reject,
        contract: contract as unknown as RpcContract<unknown, unknown>,
        timer,
      });
      try {
        ch.publish(route.exchange, route.routingKey, Buffer.from(JSON.stringify(envelope)), {
          messageId: envelope.id,
          correlationId: envelope.id,
          type: envelope.type,
          replyTo: DIRECT_REPLY_TO,
          contentType: 'application/json',
          // Transient: the reply-to only lives as long as this connection, so surviving a broker restart is pointless.
          persistent: false,
          timestamp: Math.floor(Date.now() / 1000),
          // The request dies in the queue when the caller stops waiting, so it is never served late.
          expiration: String(Math.max(1, Math.round(timeoutMs))),
          // mandatory: no RPC queue (the owner never started) comes back as a return, so we fail fast.
          mandatory: true,
          headers,
        });
      } catch (err) {
        this.settle(envelope.id, new BrokerUnavailableError('RabbitMQ channel closed', { cause: err }));
      }
    });
  }

  private onReply(ch: Channel, msg: ConsumeMessage): void {
    const id = msg.properties.correlationId;
    const call = typeof id === 'string' ? this.pending.get(id) : undefined;
    if (!call || call.channel !== ch) {
      this.logger.debug({ correlationId: id }, 'RPC reply for a call that is no longer waiting');
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(msg.content.toString('utf8'));
    } catch {
      body = undefined;
    }
    const reply = RpcReplySchema.safeParse(body);
    if (!reply.success) {
      this.settle(id, new RpcRemoteError('INVALID_RESPONSE', 502, `malformed reply to ${call.type}`));
      return;
    }
    if (!reply.data.ok) {
      const { code, status, message } = reply.data.error;
      this.settle(id, new RpcRemoteError(code, status, message));
      return;
    }
    const data = call.contract.responseSchema.safeParse(reply.data.data);
    if (!data.success) {
      const issues = formatIssues(data.error).map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ');
      this.settle(id, new RpcRemoteError('INVALID_RESPONSE', 502, `reply to ${call.type} violates its contract: ${issues}`));
      return;
    }
    this.settle(id, undefined, data.data);
  }

  private onReturn(msg: Message): void {
    const id = msg.properties.correlationId;
    if (typeof id !== 'string') return;
    const call = this.pending.get(id);
    if (!call) return;
    // No RPC queue: the owning service never started. For the caller that is "unavailable" (503), not a timeout.
    this.settle(id, new BrokerUnavailableError(`no RPC queue for ${call.type}`, { cause: new UnroutableError(msg.fields.exchange, msg.fields.routingKey) }));
  }

  private settle(id: string, err: Error | undefined, value?: unknown): void {
    const call = this.pending.get(id);
    if (!call) return;
    this.pending.delete(id);
    clearTimeout(call.timer);
    if (err) call.reject(err);
    else call.resolve(value);
  }

  private failCallsOn(ch: Channel, err: Error): void {
    for (const [id, call] of [...this.pending]) if (call.channel === ch) this.settle(id, err);
  }
}
