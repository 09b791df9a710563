import { randomBytes } from 'node:crypto';
import type { Logger } from '@ttelgo/observability';
import type { WebhookEndpointStore, WebhookUrlPolicy } from './webhook.ports';

export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export interface SetWebhookEndpointResult {
  vendorId: string;
  url: string;
  secret: string;
  updatedAt: string;
}

/**
 * Sets a vendor's endpoint after the URL policy accepted it (scheme, credentials, resolved addresses). The
 * secret is created on the first set and kept on later ones unless `rotateSecret`; it is returned here and
 * nowhere else.
 */
export class SetWebhookEndpointUseCase {
  constructor(private readonly opts: { endpoints: WebhookEndpointStore; policy: WebhookUrlPolicy; logger: Logger; now?: () => Date }) {}

  async execute(input: { vendorId: string; url: string; rotateSecret?: boolean | undefined }): Promise<SetWebhookEndpointResult> {
    const log = this.opts.logger.child({ vendorId: input.vendorId });
    try {
      await this.opts.policy.assertAllowed(input.url);
    } catch (err) {
      log.warn({ reason: (err as { reason?: string }).reason ?? (err as Error).message }, 'webhook endpoint refused');
      throw err;
    }
    const endpoint = await this.opts.endpoints.upsert({
      vendorId: input.vendorId,
      url: input.url,
      newSecret: generateWebhookSecret(),
      rotateSecret: input.rotateSecret === true,
      now: this.opts.now?.() ?? new Date(),
    });
    log.info({ url: endpoint.url, rotated: input.rotateSecret === true }, 'webhook endpoint set');
    return { vendorId: endpoint.vendorId, url: endpoint.url, secret: endpoint.secret, updatedAt: endpoint.updatedAt.toISOString() };
  }
}
