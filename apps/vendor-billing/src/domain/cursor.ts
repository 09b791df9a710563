/** Opaque cursors (base64url JSON) for newest-first pages. */
export interface TimeCursor {
  createdAt: Date;
  id: string;
}

export function encodeTimeCursor(c: TimeCursor): string {
  return Buffer.from(JSON.stringify({ t: c.createdAt.toISOString(), i: c.id }), 'utf8').toString('base64url');
}

export function decodeTimeCursor(raw: string): TimeCursor | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { t?: unknown; i?: unknown };
    if (typeof parsed.t !== 'string' || typeof parsed.i !== 'string' || !/^[0-9a-f-]{36}$/i.test(parsed.i)) return undefined;
    const createdAt = new Date(parsed.t);
    return Number.isNaN(createdAt.getTime()) ? undefined : { createdAt, id: parsed.i };
  } catch {
    return undefined;
  }
}

/** Ledger pages are ordered by the entry sequence of the account (the order the entries were applied). */
export function encodeSeqCursor(seq: string): string {
  return Buffer.from(JSON.stringify({ s: seq }), 'utf8').toString('base64url');
}

export function decodeSeqCursor(raw: string): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { s?: unknown };
    return typeof parsed.s === 'string' && /^[0-9]{1,19}$/.test(parsed.s) ? parsed.s : undefined;
  } catch {
    return undefined;
  }
}
