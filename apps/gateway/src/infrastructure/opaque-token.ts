import { createHash, randomBytes } from 'node:crypto';

/** A refresh token: 256 random bits, prefixed so it is recognisable in a secret scanner. Only its hash is stored. */
export function newRefreshToken(): string {
  return `rt_${randomBytes(32).toString('base64url')}`;
}

/** SHA-256 is enough for a 256-bit random secret (no dictionary to attack); it makes a DB leak useless. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
