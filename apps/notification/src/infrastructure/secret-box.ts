import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Encrypts small secrets at rest (the vendors' webhook signing secrets) with AES-256-GCM and an application key
 * that never enters the database. A stored value describes itself:
 *
 *   v1.<keyId>.<iv b64url>.<tag b64url>.<ciphertext b64url>
 *
 * keyId = the first 8 hex characters of sha256(key), so a value names the key that encrypted it and rotation
 * only needs the previous keys to stay configured (decrypt-only) until every value is rewritten. The AAD binds
 * a value to its owner (the vendor id): a ciphertext copied into another vendor's row does not decrypt.
 */
export const SECRET_BOX_VERSION = 'v1';
export const SECRET_BOX_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export type SecretBoxErrorCode = 'MALFORMED' | 'UNKNOWN_KEY' | 'AUTHENTICATION_FAILED';

/** Never carries the plaintext or the key; safe to log and to record as a delivery error. */
export class SecretBoxError extends Error {
  constructor(
    readonly code: SecretBoxErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

export function secretBoxKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/** True for a value this class wrote (any key); a legacy plaintext `whsec_...` is not. */
export function isSealed(value: string): boolean {
  return value.startsWith(`${SECRET_BOX_VERSION}.`);
}

export class SecretBox {
  readonly currentKeyId: string;
  private readonly current: Buffer;
  private readonly keys = new Map<string, Buffer>();

  /** `previous` keys only decrypt; every new value is encrypted with `current`. */
  constructor(current: Buffer, previous: readonly Buffer[] = []) {
    for (const key of [current, ...previous]) {
      if (key.length !== SECRET_BOX_KEY_BYTES) throw new Error(`a SecretBox key must be ${SECRET_BOX_KEY_BYTES} bytes, got ${key.length}`);
      const id = secretBoxKeyId(key);
      const known = this.keys.get(id);
      if (known && !known.equals(key)) throw new Error(`two different keys share the key id ${id}; generate a new key`);
      this.keys.set(id, key);
    }
    this.current = current;
    this.currentKeyId = secretBoxKeyId(current);
  }

  seal(plaintext: string, aad: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [SECRET_BOX_VERSION, this.currentKeyId, b64url(iv), b64url(tag), b64url(ciphertext)].join('.');
  }

  /** Throws SecretBoxError: MALFORMED, UNKNOWN_KEY (not configured) or AUTHENTICATION_FAILED (tampered, wrong AAD). */
  open(sealed: string, aad: string): string {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== SECRET_BOX_VERSION) {
      throw new SecretBoxError('MALFORMED', `not a ${SECRET_BOX_VERSION} sealed value (expected ${SECRET_BOX_VERSION}.<keyId>.<iv>.<tag>.<ciphertext>)`);
    }
    const [, keyId, ivText, tagText, ciphertextText] = parts as [string, string, string, string, string];
    const key = this.keys.get(keyId);
    if (!key) {
      throw new SecretBoxError(
        'UNKNOWN_KEY',
        `encrypted with key id ${keyId}, which is neither WEBHOOK_SECRETS_KEY (${this.currentKeyId}) nor one of WEBHOOK_SECRETS_PREVIOUS_KEYS`,
      );
    }
    const iv = fromB64url(ivText);
    const tag = fromB64url(tagText);
    const ciphertext = fromB64url(ciphertextText);
    if (!iv || iv.length !== IV_BYTES || !tag || tag.length !== TAG_BYTES || !ciphertext) {
      throw new SecretBoxError('MALFORMED', 'sealed value has a bad IV, tag or ciphertext encoding');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError('AUTHENTICATION_FAILED', `sealed value does not authenticate with key id ${keyId} (tampered, or it belongs to another owner)`);
    }
  }

  /** The key id a sealed value names, or undefined for anything else. */
  static keyIdOf(sealed: string): string | undefined {
    const parts = sealed.split('.');
    return parts.length === 5 && parts[0] === SECRET_BOX_VERSION ? parts[1] : undefined;
  }
}

function b64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

function fromB64url(text: string): Buffer | undefined {
  return /^[A-Za-z0-9_-]*$/.test(text) ? Buffer.from(text, 'base64url') : undefined;
}
