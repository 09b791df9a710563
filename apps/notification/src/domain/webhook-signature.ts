/**
 * Signing of vendor webhooks, Stripe style. The header is `TtelGo-Signature: t=<unix seconds>,v1=<hex>` where
 * the hex is HMAC-SHA256 of `${t}.${rawBody}` keyed with the endpoint secret (the whole `whsec_...` string).
 * The timestamp is signed too, so a captured request cannot be replayed after the tolerance window.
 * node:crypto is a runtime builtin, not a framework; vendors can copy verifyWebhookSignature as is.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'TtelGo-Signature';

export function computeWebhookSignature(rawBody: string | Buffer, secret: string, timestampSec: number): string {
  return createHmac('sha256', secret).update(`${timestampSec}.`).update(rawBody).digest('hex');
}

/** The header value for one send. */
export function signWebhookPayload(rawBody: string | Buffer, secret: string, timestampSec: number): string {
  return `t=${timestampSec},v1=${computeWebhookSignature(rawBody, secret, timestampSec)}`;
}

/**
 * True when `header` carries a v1 signature of exactly `rawBody` (the bytes received, before any JSON parsing)
 * made with `secret`, and its timestamp is within `toleranceSec` of now. Several v1 entries are accepted
 * (any one may match), unknown schemes are ignored.
 */
export function verifyWebhookSignature(
  rawBody: string | Buffer,
  header: string | null | undefined,
  secret: string,
  toleranceSec = 300,
  nowSec: number = Math.floor(Date.now() / 1000),
): boolean {
  if (!header || !secret) return false;
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const item of header.split(',')) {
    const eq = item.indexOf('=');
    if (eq < 0) continue;
    const key = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) signatures.push(value);
  }
  if (timestamp === undefined || signatures.length === 0) return false;
  if (Math.abs(nowSec - timestamp) > toleranceSec) return false;
  const expected = Buffer.from(computeWebhookSignature(rawBody, secret, timestamp), 'hex');
  return signatures.some((candidate) => timingSafeEqual(Buffer.from(candidate, 'hex'), expected));
}
