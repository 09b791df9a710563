/**
 * Vendor API keys (table `api_keys`). The secret is never stored: only its sha256 (hex). Keys are high-entropy
 * random strings, so a fast hash is enough (no dictionary to attack); the presented secret's hash is compared with
 * crypto.timingSafeEqual.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { formatApiKey, type ApiKeyMode } from '../domain/api-key';
import type { PrismaClient } from './generated/prisma/client';

export interface ApiKeyRow {
  id: string;
  vendorId: string;
  name: string;
  secretHash: string;
  createdAt: Date;
  createdBy: string | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  mode: string;
}

const KEY_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const KEY_ID_LENGTH = 20;
const SECRET_BYTES = 32;

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of sha256(presented) with the stored hex hash. */
export function secretMatches(presented: string, storedHashHex: string): boolean {
  const expected = Buffer.from(storedHashHex, 'hex');
  const actual = createHash('sha256').update(presented, 'utf8').digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Uniform over the alphabet: rejection sampling (256 is not a multiple of 36). */
function randomKeyId(): string {
  let id = '';
  while (id.length < KEY_ID_LENGTH) {
    for (const byte of randomBytes(KEY_ID_LENGTH * 2)) {
      if (byte < 252 && id.length < KEY_ID_LENGTH) id += KEY_ID_ALPHABET[byte % 36];
    }
  }
  return id;
}

export class ApiKeyRepository {
  constructor(private readonly prisma: PrismaClient) {}

  /** Creates a key; the returned `key` is the only copy of the secret there will ever be. */
  async create(input: { vendorId: string; name: string; createdBy: string; mode?: ApiKeyMode }): Promise<{ row: ApiKeyRow; key: string }> {
    const mode = input.mode ?? 'live';
    const keyId = randomKeyId();
    const secret = randomBytes(SECRET_BYTES).toString('base64url');
    const row = await this.prisma.apiKey.create({
      data: { id: keyId, vendorId: input.vendorId, name: input.name, secretHash: hashSecret(secret), createdBy: input.createdBy, mode },
    });
    return { row, key: formatApiKey(keyId, secret, mode) };
  }

  async findById(keyId: string): Promise<ApiKeyRow | undefined> {
    return (await this.prisma.apiKey.findUnique({ where: { id: keyId } })) ?? undefined;
  }

  async listByVendor(vendorId: string): Promise<ApiKeyRow[]> {
    return this.prisma.apiKey.findMany({ where: { vendorId }, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }], take: 1000 });
  }

  /** Revokes a key of this vendor (idempotent: an already revoked key keeps its first revocation time). False if none. */
  async revoke(vendorId: string, keyId: string): Promise<boolean> {
    const key = await this.prisma.apiKey.findUnique({ where: { id: keyId } });
    if (!key || key.vendorId !== vendorId) return false;
    await this.prisma.apiKey.updateMany({ where: { id: keyId, vendorId, revokedAt: null }, data: { revokedAt: new Date() } });
    return true;
  }

  /**
   * Writes last_used_at unless it was written less than `minIntervalMs` ago: one conditional UPDATE, so across all
   * replicas a busy key costs at most one write per interval.
   */
  async touch(keyId: string, minIntervalMs: number): Promise<void> {
    const now = new Date();
    await this.prisma.apiKey.updateMany({
      where: { id: keyId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - minIntervalMs) } }] },
      data: { lastUsedAt: now },
    });
  }
}
