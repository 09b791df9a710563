import { randomBytes } from 'node:crypto';
import { SecretBox, SecretBoxError, isSealed, secretBoxKeyId } from './secret-box';

const SECRET = 'whsec_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';

function errorOf(fn: () => unknown): SecretBoxError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SecretBoxError) return err;
    throw err;
  }
  throw new Error('expected a SecretBoxError');
}

/** Replaces one base64url part of a sealed value (1 = keyId, 2 = iv, 3 = tag, 4 = ciphertext). */
function withPart(sealed: string, index: number, part: string): string {
  const parts = sealed.split('.');
  parts[index] = part;
  return parts.join('.');
}

function flipFirstByte(b64url: string): string {
  const bytes = Buffer.from(b64url, 'base64url');
  bytes[0] = bytes[0]! ^ 0x01;
  return bytes.toString('base64url');
}

describe('SecretBox', () => {
  const key = randomBytes(32);
  const box = new SecretBox(key);

  it('round-trips a secret in the self-describing v1 format, with a fresh IV every time', () => {
    const sealed = box.seal(SECRET, 'vendor-a');
    expect(sealed).toMatch(/^v1\.[0-9a-f]{8}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(SECRET);
    expect(sealed.split('.')[1]).toBe(secretBoxKeyId(key));
    expect(isSealed(sealed)).toBe(true);
    expect(isSealed(SECRET)).toBe(false);
    expect(box.open(sealed, 'vendor-a')).toBe(SECRET);
    const again = box.seal(SECRET, 'vendor-a');
    expect(again).not.toBe(sealed);
    expect(again.split('.')[2]).not.toBe(sealed.split('.')[2]);
  });

  it('names its key by the first 8 hex characters of sha256(key)', () => {
    expect(secretBoxKeyId(Buffer.alloc(32))).toBe('66687aad'); // sha256 of 32 zero bytes: 66687aadf862bd77...
    expect(box.currentKeyId).toBe(secretBoxKeyId(key));
  });

  it('refuses a value bound to another owner (the AAD): a ciphertext copied to another vendor does not decrypt', () => {
    const sealed = box.seal(SECRET, 'vendor-a');
    const err = errorOf(() => box.open(sealed, 'vendor-b'));
    expect(err.code).toBe('AUTHENTICATION_FAILED');
    expect(err.message).toContain('another owner');
    expect(err.message).not.toContain(SECRET);
  });

  it('refuses a tampered tag, ciphertext or IV', () => {
    const sealed = box.seal(SECRET, 'vendor-a');
    const [, , iv, tag, ciphertext] = sealed.split('.') as [string, string, string, string, string];
    expect(errorOf(() => box.open(withPart(sealed, 3, flipFirstByte(tag)), 'vendor-a')).code).toBe('AUTHENTICATION_FAILED');
    expect(errorOf(() => box.open(withPart(sealed, 4, flipFirstByte(ciphertext)), 'vendor-a')).code).toBe('AUTHENTICATION_FAILED');
    expect(errorOf(() => box.open(withPart(sealed, 2, flipFirstByte(iv)), 'vendor-a')).code).toBe('AUTHENTICATION_FAILED');
    // A truncated tag is not accepted as a shorter (weaker) one.
    expect(errorOf(() => box.open(withPart(sealed, 3, tag.slice(0, 11)), 'vendor-a')).code).toBe('MALFORMED');
  });

  it('gives a clear error for a key id it does not know', () => {
    const other = new SecretBox(randomBytes(32));
    const sealed = other.seal(SECRET, 'vendor-a');
    const err = errorOf(() => box.open(sealed, 'vendor-a'));
    expect(err.code).toBe('UNKNOWN_KEY');
    expect(err.message).toBe(
      `encrypted with key id ${other.currentKeyId}, which is neither WEBHOOK_SECRETS_KEY (${box.currentKeyId}) nor one of WEBHOOK_SECRETS_PREVIOUS_KEYS`,
    );
  });

  it('refuses malformed values and plaintext', () => {
    for (const value of [SECRET, '', 'v1.abc', 'v2.aaaaaaaa.a.b.c', `${box.seal(SECRET, 'v')}.extra`, withPart(box.seal(SECRET, 'v'), 4, 'not base64url!')]) {
      expect({ value, code: errorOf(() => box.open(value, 'v')).code }).toEqual({ value, code: 'MALFORMED' });
    }
  });

  it('decrypts with a previous key and writes new values with the current key (rotation)', () => {
    const oldKey = randomBytes(32);
    const sealedBefore = new SecretBox(oldKey).seal(SECRET, 'vendor-a');
    const rotated = new SecretBox(randomBytes(32), [oldKey]);
    expect(rotated.open(sealedBefore, 'vendor-a')).toBe(SECRET);
    const sealedAfter = rotated.seal(SECRET, 'vendor-a');
    expect(SecretBox.keyIdOf(sealedAfter)).toBe(rotated.currentKeyId);
    expect(SecretBox.keyIdOf(sealedBefore)).toBe(secretBoxKeyId(oldKey));
    expect(rotated.currentKeyId).not.toBe(secretBoxKeyId(oldKey));
    // Once the previous key is dropped, old values are an UNKNOWN_KEY error, new ones still open.
    const withoutOld = new SecretBox(randomBytes(32));
    expect(errorOf(() => withoutOld.open(sealedBefore, 'vendor-a')).code).toBe('UNKNOWN_KEY');
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow('a SecretBox key must be 32 bytes, got 16');
    expect(() => new SecretBox(randomBytes(32), [randomBytes(31)])).toThrow('got 31');
  });
});
