/**
 * `Idempotency-Key` values: 1-255 printable ASCII characters (Stripe's bound). Printable only, because the key is
 * stored, logged and compared byte for byte: control characters or look-alike Unicode would make two "equal" keys.
 */
const KEY = /^[\x20-\x7E]{1,255}$/;

export function isValidIdempotencyKey(value: unknown): value is string {
  return typeof value === 'string' && KEY.test(value) && value.trim().length > 0;
}
