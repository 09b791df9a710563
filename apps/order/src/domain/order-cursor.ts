/**
 * List cursors: opaque to clients, base64url of the last row's (createdAt, id). Pages are newest first, and the
 * id breaks ties between orders created in the same millisecond, so no order is skipped or repeated.
 */
import { invalidCursor } from './order.errors';

export interface OrderCursor {
  createdAt: Date;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeOrderCursor(cursor: OrderCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.id]), 'utf8').toString('base64url');
}

/** Throws INVALID_CURSOR (400) for anything encodeOrderCursor did not produce. */
export function decodeOrderCursor(text: string): OrderCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalidCursor();
  const [at, id] = parsed as unknown[];
  if (typeof at !== 'string' || typeof id !== 'string' || !UUID.test(id)) throw invalidCursor();
  const createdAt = new Date(at);
  if (Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== at) throw invalidCursor();
  return { createdAt, id: id.toLowerCase() };
}
