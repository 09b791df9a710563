import type { WebhookEndpoint, WebhookEndpointInfo, WebhookEndpointStore } from '../application/channels/webhook/webhook.ports';
import { WebhookSecretUnavailableError } from '../application/channels/webhook/webhook.ports';
import type { Prisma, PrismaClient } from './generated/prisma/client';
import { SecretBoxError, isSealed, type SecretBox } from './secret-box';

/**
 * Decrypts a stored `secret_ciphertext` of `vendorId` (its AAD). A plaintext value (only possible if a row was
 * written around the start-up sealing task, e.g. by hand) is refused, never used: sealStoredWebhookSecrets
 * encrypts it at the next start.
 */
export function openWebhookSecret(box: SecretBox, vendorId: string, stored: string): { secret: string } | { error: string } {
  if (!isSealed(stored)) return { error: 'stored unencrypted (sealed at the next service start); refusing to sign with it' };
  try {
    return { secret: box.open(stored, vendorId) };
  } catch (err) {
    if (err instanceof SecretBoxError) return { error: `cannot be decrypted: ${err.message}` };
    throw err;
  }
}

/** Postgres side of `webhook_endpoints`: the secret is stored sealed by SecretBox, bound to the vendor id. */
export class PrismaWebhookEndpointStore implements WebhookEndpointStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly box: SecretBox,
  ) {}

  async find(tx: unknown, vendorId: string): Promise<WebhookEndpointInfo | undefined> {
    const client = (tx as Prisma.TransactionClient | undefined) ?? this.prisma;
    const row = await client.webhookEndpoint.findUnique({ where: { vendorId }, select: { vendorId: true, url: true, updatedAt: true } });
    return row ? { vendorId: row.vendorId, url: row.url, updatedAt: row.updatedAt } : undefined;
  }

  async upsert(input: { vendorId: string; url: string; newSecret: string; rotateSecret: boolean; now: Date }): Promise<WebhookEndpoint> {
    const sealed = this.box.seal(input.newSecret, input.vendorId);
    // A single INSERT ... ON CONFLICT: two concurrent first sets cannot both create, and the one secret that wins
    // is the one both callers get back (decrypted from the row that won).
    // In a transaction: a secret that cannot be handed back (undecryptable, and not rotated) changes nothing.
    return this.prisma.$transaction(async (tx) => {
      const row = await tx.webhookEndpoint.upsert({
        where: { vendorId: input.vendorId },
        create: { vendorId: input.vendorId, url: input.url, secretCiphertext: sealed, createdAt: input.now, updatedAt: input.now },
        update: { url: input.url, updatedAt: input.now, ...(input.rotateSecret ? { secretCiphertext: sealed } : {}) },
      });
      const opened = openWebhookSecret(this.box, row.vendorId, row.secretCiphertext);
      if ('error' in opened) throw new WebhookSecretUnavailableError(row.vendorId, `${opened.error}; set the endpoint with rotateSecret: true to issue a new secret`);
      return { vendorId: row.vendorId, url: row.url, secret: opened.secret, updatedAt: row.updatedAt };
    });
  }
}
