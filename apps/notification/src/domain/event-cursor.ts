/**
 * Event log cursors: opaque to clients, base64url of the last row's (createdAt, id). Pages are newest first; the id
 * breaks ties between events created in the same millisecond, so none is skipped or repeated.
 */
export interface EventCursor {
  createdAt: Date;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class InvalidCursorError extends Error {
  readonly code = 'INVALID_CURSOR';
  readonly status = 400;

  constructor() {
    super('The cursor is not one this list returned.');
    this.name = 'InvalidCursorError';
  }
}

export function encodeEventCursor(cursor: EventCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.id]), 'utf8').toString('base64url');
}

/** Throws InvalidCursorError (400 INVALID_CURSOR) for anything encodeEventCursor did not produce. */
export function decodeEventCursor(text: string): EventCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw new InvalidCursorError();
  const [at, id] = parsed as unknown[];
  if (typeof at !== 'string' || typeof id !== 'string' || !UUID.test(id)) throw new InvalidCursorError();
  const createdAt = new Date(at);
  if (Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== at) throw new InvalidCursorError();
  return { createdAt, id: id.toLowerCase() };
}
