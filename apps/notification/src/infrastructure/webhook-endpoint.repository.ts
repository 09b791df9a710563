import type { WebhookEndpoint, WebhookEndpointStore } from '../application/channels/webhook/webhook.ports';
import type { Prisma, PrismaClient } from './generated/prisma/client';

/** Postgres side of `webhook_endpoints`. */
export class PrismaWebhookEndpointStore implements WebhookEndpointStore {
  constructor(private readonly prisma: PrismaClient) {}

  async find(tx: unknown, vendorId: string): Promise<WebhookEndpoint | undefined> {
    const client = (tx as Prisma.TransactionClient | undefined) ?? this.prisma;
    const row = await client.webhookEndpoint.findUnique({ where: { vendorId } });
    return row ? { vendorId: row.vendorId, url: row.url, secret: row.secret, updatedAt: row.updatedAt } : undefined;
  }

  async upsert(input: { vendorId: string; url: string; newSecret: string; rotateSecret: boolean; now: Date }): Promise<WebhookEndpoint> {
    // A single INSERT ... ON CONFLICT: two concurrent first sets cannot both create, and the one secret that wins
    // is the one both callers get back.
    const row = await this.prisma.webhookEndpoint.upsert({
      where: { vendorId: input.vendorId },
      create: { vendorId: input.vendorId, url: input.url, secret: input.newSecret, createdAt: input.now, updatedAt: input.now },
      update: { url: input.url, updatedAt: input.now, ...(input.rotateSecret ? { secret: input.newSecret } : {}) },
    });
    return { vendorId: row.vendorId, url: row.url, secret: row.secret, updatedAt: row.updatedAt };
  }
}
