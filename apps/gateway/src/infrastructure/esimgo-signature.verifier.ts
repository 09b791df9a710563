import { createHmac, timingSafeEqual } from 'node:crypto';

const HEX_DIGEST = /^[0-9a-fA-F]{64}$/;
// 32 bytes in standard base64 are 43 characters plus one '='; the padding is optional, the URL-safe alphabet is
// accepted too (a proxy or a library may have re-encoded it).
const BASE64_DIGEST = /^[A-Za-z0-9+/_-]{43}=?$/;

/**
 * eSIM Go's V3 callback signature: `X-Signature-SHA256` = HMAC-SHA256 over the raw body with the API key (or a
 * dedicated signing key), encoded base64 (API reference) or hex (webhooks guide) — the docs disagree, so both
 * are accepted. The header is decoded to the 32 digest bytes and compared with timingSafeEqual, so neither the
 * encoding nor the position of the first wrong byte shows in the timing. There is no timestamp in the
 * signature: replays are harmless downstream (same body = same message id; usage never goes back up).
 */
export class EsimGoSignatureVerifier {
  constructor(private readonly key: string) {
    if (key.length === 0) throw new Error('the eSIM Go callback signing key must not be empty');
  }

  verify(rawBody: Buffer, header: string | undefined): boolean {
    if (!header) return false;
    const given = decodeDigest(header.trim());
    if (!given) return false;
    const expected = createHmac('sha256', this.key).update(rawBody).digest();
    return timingSafeEqual(expected, given);
  }
}

function decodeDigest(text: string): Buffer | undefined {
  if (HEX_DIGEST.test(text)) return Buffer.from(text, 'hex');
  if (BASE64_DIGEST.test(text)) {
    const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    return bytes.length === 32 ? bytes : undefined;
  }
  return undefined;
}
