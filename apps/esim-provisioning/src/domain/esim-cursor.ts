/**
 * Opaque keyset cursor of an owner's eSIM list (newest first): base64url of `{ t, i }`, the created-at
 * (epoch ms) and ICCID of the last eSIM of the previous page. eSIMs of one order share their created-at, so
 * the ICCID breaks ties. A cursor grants nothing: the listing is always filtered by the caller's owner.
 */
import { invalidEsimCursor } from './esim.errors';

export interface EsimCursor {
  createdAt: Date;
  iccid: string;
}

export function encodeEsimCursor(c: EsimCursor): string {
  return Buffer.from(JSON.stringify({ t: c.createdAt.getTime(), i: c.iccid }), 'utf8').toString('base64url');
}

export function decodeEsimCursor(cursor: string): EsimCursor {
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(cursor)) throw invalidEsimCursor();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidEsimCursor();
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalidEsimCursor();
  const { t, i } = parsed as Record<string, unknown>;
  if (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 0 || typeof i !== 'string' || !/^[0-9]{1,30}$/.test(i)) {
    throw invalidEsimCursor();
  }
  return { createdAt: new Date(t), iccid: i };
}
