/**
 * Stores every message of the archive queue ttelgo.dead-letters (a copy of every dead letter of every consumer queue)
 * for GET /admin/dead-letters. Deliberately not startConsumer: these messages are, by definition, not valid or not
 * processable, so they are stored raw, with no contract validation. Competing consumer: replicas share the queue;
 * a redelivery is stored once (unique messageId + original queue + reason). Ack after the insert; when the
 * database fails, nack with requeue (the queue's x-delivery-limit bounds how often).
 */
import { createHash } from 'node:crypto';
import type { Channel, ConsumeMessage } from 'amqplib';
import {
  DEAD_LETTER_ARCHIVE_QUEUE,
  DEAD_LETTER_REASON_HEADER,
  declareDeadLetterArchive,
  type AmqpConnection,
  type Consumer,
} from '@ttelgo/messaging';
import type { Logger } from '@ttelgo/observability';
import type { NewDeadLetter } from '../../infrastructure/dead-letter.repository';

export const ORIGINAL_QUEUE_HEADER = 'x-original-queue';
const DLQ_SUFFIX = '.dlq';

export interface DeadLetterStore {
  store(letter: NewDeadLetter): Promise<'stored' | 'duplicate'>;
}

export function startDeadLetterArchive(conn: AmqpConnection, opts: { store: DeadLetterStore; logger: Logger; prefetch?: number }): Consumer {
  const logger = opts.logger.child({ queue: DEAD_LETTER_ARCHIVE_QUEUE, handler: 'archive-dead-letter' });
  const tags = new WeakMap<Channel, string>();
  const inFlight = new Set<Promise<void>>();
  let stopping: Promise<void> | undefined;

  const handle = async (ch: Channel, msg: ConsumeMessage): Promise<void> => {
    let letter: NewDeadLetter;
    try {
      letter = toDeadLetter(msg);
    } catch (err) {
      // Cannot happen for anything amqplib decoded; never loop on it.
      logger.error({ err }, 'unreadable dead letter; dropping it');
      settle(() => ch.ack(msg));
      return;
    }
    try {
      const outcome = await opts.store.store(letter);
      logger.info({ messageId: letter.messageId, originalQueue: letter.originalQueue, reason: letter.reason, outcome }, 'dead letter archived');
      settle(() => ch.ack(msg));
    } catch (err) {
      logger.error({ err, messageId: letter.messageId }, 'storing the dead letter failed; requeueing it');
      settle(() => ch.nack(msg, false, true));
    }
  };

  const settle = (fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      logger.warn({ err }, 'ack/nack failed (channel closed); the message will be redelivered');
    }
  };

  const channel = conn.channel({
    name: `consumer ${DEAD_LETTER_ARCHIVE_QUEUE}`,
    setup: async (ch) => {
      await declareDeadLetterArchive(ch);
      if (stopping) return;
      await ch.prefetch(opts.prefetch ?? 20);
      const { consumerTag } = await ch.consume(
        DEAD_LETTER_ARCHIVE_QUEUE,
        (msg) => {
          if (!msg) {
            if (!stopping) void ch.close().catch(() => undefined); // queue deleted: re-open, which re-declares
            return;
          }
          const work = handle(ch, msg)
            .catch((err) => logger.error({ err }, 'dead-letter archive bug'))
            .finally(() => inFlight.delete(work));
          inFlight.add(work);
        },
        { noAck: false },
      );
      tags.set(ch, consumerTag);
      logger.info('dead-letter archive consumer started');
    },
  });

  return {
    stop: () =>
      (stopping ??= (async () => {
        const ch = channel.channel;
        const tag = ch ? tags.get(ch) : undefined;
        if (ch && tag) await ch.cancel(tag).catch((err: unknown) => logger.warn({ err }, 'basic.cancel failed'));
        while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
        await channel.close();
      })()),
  };
}

function headerString(value: unknown): string | undefined {
  if (typeof value === 'string') return value || undefined;
  if (Buffer.isBuffer(value)) return value.toString('utf8') || undefined;
  return undefined;
}

/** The raw message as a row: ids, queue and reason from the runner's headers, else from the broker's. */
export function toDeadLetter(msg: ConsumeMessage): NewDeadLetter {
  const props = msg.properties;
  const headers = (props.headers ?? {}) as Record<string, unknown>;
  const routingKey = msg.fields.routingKey;
  const fromKey = routingKey.endsWith(DLQ_SUFFIX) ? routingKey.slice(0, -DLQ_SUFFIX.length) : routingKey;
  const originalQueue = headerString(headers[ORIGINAL_QUEUE_HEADER]) ?? headerString(headers['x-first-death-queue']) ?? fromKey;
  const reason = headerString(headers[DEAD_LETTER_REASON_HEADER]) ?? headerString(headers['x-first-death-reason']) ?? 'unknown';
  const messageId =
    typeof props.messageId === 'string' && props.messageId ? props.messageId : `sha256:${createHash('sha256').update(msg.content).digest('hex')}`;
  return {
    messageId,
    type: typeof props.type === 'string' && props.type ? props.type : null,
    originalQueue,
    reason,
    body: msg.content,
    headers: jsonSafe(headers) as Record<string, unknown>,
    contentType: typeof props.contentType === 'string' && props.contentType ? props.contentType : null,
  };
}

/** AMQP header values as JSON: byte arrays as UTF-8, dates as ISO, bigints as strings. */
function jsonSafe(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = jsonSafe(v);
    return out;
  }
  return value;
}
