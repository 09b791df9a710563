/**
 * `GET /admin/dead-letters` and `POST /admin/dead-letters/{id}/replay`: the dead letters archived by the
 * dead-letter archive consumer, and their replay to the queue they died in (default exchange, routing key = queue).
 */
import { z } from 'zod';
import type { Options } from 'amqplib';
import { AppError } from '@ttelgo/http';
import { BrokerUnavailableError, DEAD_LETTER_REASON_HEADER, PublishNackedError, PublishTimeoutError, RETRY_COUNT_HEADER, UnroutableError } from '@ttelgo/messaging';
import type { DeadLetterRepository, DeadLetterRow } from '../infrastructure/dead-letter.repository';

export const MAX_LISTED_BODY_BYTES = 10 * 1024;

const cursorSchema = z.string().min(1).max(512).regex(/^[A-Za-z0-9_=-]+$/, 'malformed cursor');

export const DeadLetterQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: cursorSchema.optional(),
});
export type DeadLetterQuery = z.infer<typeof DeadLetterQuerySchema>;

export const DeadLetterIdParamsSchema = z.strictObject({ id: z.uuid() });

export const DeadLetterSchema = z.object({
  id: z.uuid(),
  messageId: z.string(),
  type: z.string().nullable(),
  originalQueue: z.string(),
  reason: z.string(),
  receivedAt: z.iso.datetime({ offset: true }),
  replayedAt: z.iso.datetime({ offset: true }).nullable(),
  replayedBy: z.string().nullable(),
  /** The body parsed as JSON when it is JSON (and at most 10 KB), else the text, cut at 10 KB. */
  body: z.unknown(),
  bodyTruncated: z.boolean(),
});
export const DeadLetterListResponseSchema = z.object({ data: z.array(DeadLetterSchema), nextCursor: z.string().nullable() });
export type DeadLetterListResponse = z.infer<typeof DeadLetterListResponseSchema>;

export const DeadLetterReplayResponseSchema = z.object({
  id: z.uuid(),
  messageId: z.string(),
  originalQueue: z.string(),
  replayedAt: z.iso.datetime({ offset: true }),
  replayedBy: z.string(),
});
export type DeadLetterReplayResponse = z.infer<typeof DeadLetterReplayResponseSchema>;

/** Broker bookkeeping and the dead-letter headers: a replay starts the message's life in its queue afresh. */
const DROPPED_ON_REPLAY = new Set([
  'x-death',
  'x-first-death-exchange',
  'x-first-death-queue',
  'x-first-death-reason',
  'x-last-death-exchange',
  'x-last-death-queue',
  'x-last-death-reason',
  'x-delivery-count',
  'x-original-queue',
  'x-last-error',
  DEAD_LETTER_REASON_HEADER,
  RETRY_COUNT_HEADER,
]);

export interface DeadLetterPublisher {
  send(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const invalidCursor = () => new AppError('INVALID_CURSOR', 400, 'The cursor is not valid.');

function encodeCursor(last: { at: Date; id: string }): string {
  return Buffer.from(`${last.at.toISOString()}|${last.id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { at: Date; id: string } {
  const [iso, id, extra] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const at = new Date(iso ?? '');
  if (extra !== undefined || !id || !UUID.test(id) || Number.isNaN(at.getTime()) || at.toISOString() !== iso) throw invalidCursor();
  return { at, id };
}

export function presentBody(body: Buffer): { body: unknown; bodyTruncated: boolean } {
  if (body.length <= MAX_LISTED_BODY_BYTES) {
    const text = body.toString('utf8');
    try {
      return { body: JSON.parse(text) as unknown, bodyTruncated: false };
    } catch {
      return { body: text, bodyTruncated: false };
    }
  }
  // Cut on a byte boundary; a multi-byte character split at the end becomes U+FFFD, which is fine for a preview.
  return { body: body.subarray(0, MAX_LISTED_BODY_BYTES).toString('utf8'), bodyTruncated: true };
}

function present(row: DeadLetterRow) {
  return {
    id: row.id,
    messageId: row.messageId,
    type: row.type,
    originalQueue: row.originalQueue,
    reason: row.reason,
    receivedAt: row.receivedAt.toISOString(),
    replayedAt: row.replayedAt ? row.replayedAt.toISOString() : null,
    replayedBy: row.replayedBy,
    ...presentBody(row.body),
  };
}

export async function listDeadLetters(repo: DeadLetterRepository, query: DeadLetterQuery): Promise<DeadLetterListResponse> {
  const { rows, last } = await repo.page({ limit: query.limit, after: query.cursor !== undefined ? decodeCursor(query.cursor) : undefined });
  return { data: rows.map(present), nextCursor: last ? encodeCursor(last) : null };
}

/**
 * Claims the row (replayed_at, replayed_by) first, so two concurrent replays publish once, then publishes the stored
 * body unchanged, confirmed and mandatory, to the default exchange with routing key = the original queue. A failed
 * publish releases the claim.
 */
export async function replayDeadLetter(
  deps: { repo: DeadLetterRepository; publisher: DeadLetterPublisher },
  id: string,
  by: string,
): Promise<DeadLetterReplayResponse> {
  const row = await deps.repo.get(id);
  if (!row) throw new AppError('DEAD_LETTER_NOT_FOUND', 404, 'No dead letter with this id.');
  const at = new Date();
  if (row.replayedAt || !(await deps.repo.claimReplay(id, by, at))) {
    throw new AppError('ALREADY_REPLAYED', 409, 'This dead letter has already been replayed.');
  }
  const headers: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row.headers)) if (!DROPPED_ON_REPLAY.has(name)) headers[name] = value;
  try {
    await deps.publisher.send('', row.originalQueue, row.body, {
      messageId: row.messageId,
      ...(row.type ? { type: row.type } : {}),
      contentType: row.contentType ?? 'application/json',
      persistent: true,
      headers,
    });
  } catch (err) {
    await deps.repo.releaseReplay(id, at);
    if (err instanceof UnroutableError) {
      throw new AppError('DEAD_LETTER_QUEUE_GONE', 409, `The queue '${row.originalQueue}' no longer exists; the dead letter was not replayed.`, { cause: err });
    }
    if (err instanceof BrokerUnavailableError || err instanceof PublishNackedError || err instanceof PublishTimeoutError) {
      throw new AppError('BROKER_UNAVAILABLE', 503, 'The message broker is not available; the dead letter was not replayed.', { cause: err });
    }
    throw err;
  }
  return { id: row.id, messageId: row.messageId, originalQueue: row.originalQueue, replayedAt: at.toISOString(), replayedBy: by };
}
