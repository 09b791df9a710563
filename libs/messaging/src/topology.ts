/*
 * The ONE module that declares RabbitMQ topology. Every declaration passes the same arguments every time, so it
 * is idempotent; a different argument for an existing queue would be a PRECONDITION_FAILED channel error.
 * Names come from @ttelgo/contracts (routing.ts) so the outbox rows and these declarations agree by construction.
 */
import type { Channel } from 'amqplib';
import {
  DEAD_LETTER_EXCHANGE,
  commandExchange,
  eventExchange,
  routeFor,
  rpcQueue,
  type MessageContract,
  type Route,
} from '@ttelgo/contracts';

export const DEFAULT_DELIVERY_LIMIT = 10;
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1000, 5000, 30000];

/**
 * Every dead letter of every consumer queue is also copied here (the gateway stores them for GET /admin/dead-letters):
 * it is bound to ttelgo.dlx with each `<queue>.dlq` key, and a direct exchange delivers to every queue bound with
 * the routing key, so `<queue>.dlq` keeps its copy. Quorum, durable, no dead-letter exchange of its own (a message
 * the archiver keeps failing on is dropped after the delivery limit rather than looping through ttelgo.dlx).
 */
export const DEAD_LETTER_ARCHIVE_QUEUE = 'ttelgo.dead-letters';
export const DEAD_LETTER_ARCHIVE_DELIVERY_LIMIT = 20;

const EVENTS_PREFIX = eventExchange('');
const COMMANDS_PREFIX = commandExchange('');

export interface QueueBinding {
  exchange: string;
  routingKey: string;
}

export interface ConsumerQueueSpec {
  /** `<service>.<purpose>`, e.g. `order.payment-events`. */
  queue: string;
  bindings: QueueBinding[];
  /** Deliveries (including redeliveries after a crash) before the broker dead-letters the message. Default 10. */
  deliveryLimit?: number;
  /** One delayed-retry queue per delay. Default [1000, 5000, 30000]; [] declares none. */
  retryDelaysMs?: readonly number[];
}

export function dlqName(queue: string): string {
  return `${queue}.dlq`;
}

export function retryQueueName(queue: string, delayMs: number): string {
  return `${queue}.retry.${delayMs}`;
}

/** Events go to a topic exchange (consumers may bind with wildcards), commands to a direct one. */
export function exchangeType(exchange: string): 'topic' | 'direct' {
  if (exchange.startsWith(EVENTS_PREFIX)) return 'topic';
  if (exchange.startsWith(COMMANDS_PREFIX) || exchange === DEAD_LETTER_EXCHANGE) return 'direct';
  throw new Error(`exchange '${exchange}' is not one of ours (expected ${EVENTS_PREFIX}* or ${COMMANDS_PREFIX}*)`);
}

export async function declareExchange(ch: Channel, exchange: string): Promise<void> {
  await ch.assertExchange(exchange, exchangeType(exchange), { durable: true, autoDelete: false, internal: false });
}

export async function declareEventExchange(ch: Channel, producer: string): Promise<void> {
  await declareExchange(ch, eventExchange(producer));
}

export async function declareCommandExchange(ch: Channel, owner: string): Promise<void> {
  await declareExchange(ch, commandExchange(owner));
}

export async function declareDeadLetterExchange(ch: Channel): Promise<void> {
  await declareExchange(ch, DEAD_LETTER_EXCHANGE);
}

/** The archive queue (same arguments every time), optionally bound to ttelgo.dlx with a `<queue>.dlq` key. */
export async function declareDeadLetterArchive(ch: Channel, dlqRoutingKey?: string): Promise<void> {
  await declareDeadLetterExchange(ch);
  await ch.assertQueue(DEAD_LETTER_ARCHIVE_QUEUE, {
    durable: true,
    arguments: { 'x-queue-type': 'quorum', 'x-delivery-limit': DEAD_LETTER_ARCHIVE_DELIVERY_LIMIT },
  });
  if (dlqRoutingKey !== undefined) await ch.bindQueue(DEAD_LETTER_ARCHIVE_QUEUE, DEAD_LETTER_EXCHANGE, dlqRoutingKey);
}

/** The exchange a contract is published to (none for RPC: requests use the default exchange). */
export async function declareContractExchange(ch: Channel, contract: Pick<MessageContract, 'kind' | 'owner' | 'name'>): Promise<Route> {
  const route = routeFor(contract);
  if (route.exchange !== '') await declareExchange(ch, route.exchange);
  return route;
}

/** The bindings that make a consumer queue receive the given events/commands. */
export function bindingsFor(contracts: ReadonlyArray<Pick<MessageContract, 'kind' | 'owner' | 'name'>>): QueueBinding[] {
  return contracts.map((contract) => {
    if (contract.kind === 'rpc') throw new Error(`${contract.name} is an RPC: it is served by RpcServer, not bound to a consumer queue`);
    return routeFor(contract);
  });
}

/**
 * A consumer queue with its dead-letter queue and delayed-retry queues:
 * - `<queue>`: quorum, explicit x-delivery-limit (3.x has no default; 4.0 changed it), dead-letters to ttelgo.dlx
 *   with routing key `<queue>.dlq` (poison messages that keep crashing the consumer end up there);
 * - `<queue>.dlq`: quorum, bound to ttelgo.dlx with routing key `<queue>.dlq`;
 * - the archive `ttelgo.dead-letters`, bound to ttelgo.dlx with the same key, so it gets a copy of every dead letter;
 * - `<queue>.retry.<ms>`: quorum with x-message-ttl; on expiry the broker dead-letters the message through the
 *   default exchange back to `<queue>`.
 * The exchanges the bindings name are declared too (idempotent), so a consumer may start before the producer.
 */
export async function declareConsumerQueue(ch: Channel, spec: ConsumerQueueSpec): Promise<void> {
  const { queue } = spec;
  const deliveryLimit = spec.deliveryLimit ?? DEFAULT_DELIVERY_LIMIT;
  const retryDelays = spec.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  if (!Number.isInteger(deliveryLimit) || deliveryLimit < 1) throw new Error(`invalid deliveryLimit ${deliveryLimit}`);
  for (const delay of retryDelays) {
    if (!Number.isInteger(delay) || delay <= 0) throw new Error(`invalid retry delay ${delay} ms`);
  }

  await declareDeadLetterExchange(ch);
  await ch.assertQueue(dlqName(queue), { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await ch.bindQueue(dlqName(queue), DEAD_LETTER_EXCHANGE, dlqName(queue));
  await declareDeadLetterArchive(ch, dlqName(queue));

  await ch.assertQueue(queue, {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-delivery-limit': deliveryLimit,
      'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE,
      'x-dead-letter-routing-key': dlqName(queue),
    },
  });
  for (const binding of spec.bindings) {
    await declareExchange(ch, binding.exchange);
    await ch.bindQueue(queue, binding.exchange, binding.routingKey);
  }

  for (const delay of new Set(retryDelays)) {
    await ch.assertQueue(retryQueueName(queue, delay), {
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-message-ttl': delay,
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': queue,
      },
    });
  }
}

/**
 * The owner's RPC request queue: classic and durable. Requests carry a per-message expiration equal to the
 * caller's timeout, so a request nobody answered in time dies in the queue instead of being served late.
 */
export async function declareRpcQueue(ch: Channel, owner: string): Promise<string> {
  const queue = rpcQueue(owner);
  await ch.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'classic' } });
  return queue;
}

/**
 * A per-process queue for events every replica must see (cache invalidation, say), as opposed to a consumer
 * queue that replicas share as competing consumers. Classic, exclusive and auto-deleted: it lives exactly as
 * long as the process's connection. A message that cannot be handled goes to the shared `<base>.dlq`.
 */
export async function declareBroadcastQueue(ch: Channel, spec: { base: string; queue: string; bindings: QueueBinding[] }): Promise<void> {
  await declareDeadLetterExchange(ch);
  await ch.assertQueue(dlqName(spec.base), { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await ch.bindQueue(dlqName(spec.base), DEAD_LETTER_EXCHANGE, dlqName(spec.base));
  await declareDeadLetterArchive(ch, dlqName(spec.base));
  await ch.assertQueue(spec.queue, {
    durable: false,
    exclusive: true,
    autoDelete: true,
    arguments: { 'x-queue-type': 'classic', 'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE, 'x-dead-letter-routing-key': dlqName(spec.base) },
  });
  for (const binding of spec.bindings) {
    await declareExchange(ch, binding.exchange);
    await ch.bindQueue(spec.queue, binding.exchange, binding.routingKey);
  }
}

