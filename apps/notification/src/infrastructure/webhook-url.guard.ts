import { lookup } from 'node:dns/promises';
import { assertPublicAddress, parseWebhookUrl, WebhookUrlNotAllowedError, type WebhookTarget, type WebhookUrlRules } from '../domain/webhook-url';
import type { WebhookUrlPolicy } from '../application/channels/webhook/webhook.ports';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type AddressResolver = (host: string) => Promise<ResolvedAddress[]>;

export const systemResolver: AddressResolver = async (host) => {
  const answers = await lookup(host, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/**
 * The SSRF guard: parses the URL (domain rules) and resolves the host to EVERY address it has, refusing the URL
 * if any of them is not public. Used when a vendor sets the URL and again before every send, whose connection
 * is then pinned to the addresses checked here (DNS rebinding cannot swap them in between).
 * `allowPrivate` (WEBHOOK_ALLOW_PRIVATE_URLS, dev/test only) skips the address checks, not the URL rules. Every
 * refusal is the same WebhookUrlNotAllowedError message; its `reason` is for our logs.
 */
export class WebhookUrlGuard implements WebhookUrlPolicy {
  private readonly resolve: AddressResolver;

  constructor(private readonly opts: WebhookUrlRules & { resolver?: AddressResolver }) {
    this.resolve = opts.resolver ?? systemResolver;
  }

  get allowPrivate(): boolean {
    return this.opts.allowPrivate;
  }

  async assertAllowed(url: string): Promise<void> {
    await this.check(url);
  }

  /** The parsed target and, unless private addresses are allowed, the checked addresses to connect to. */
  async check(url: string): Promise<{ target: WebhookTarget; addresses: ResolvedAddress[] | undefined }> {
    const target = parseWebhookUrl(url, this.opts);
    if (this.opts.allowPrivate) return { target, addresses: undefined };
    if (target.literal) return { target, addresses: [{ address: target.host, family: target.host.includes(':') ? 6 : 4 }] };
    let addresses: ResolvedAddress[];
    try {
      addresses = await this.resolve(target.host);
    } catch (err) {
      const code = (err as { code?: string }).code;
      throw new WebhookUrlNotAllowedError(`host ${target.host} does not resolve${code ? ` (${code})` : ''}`);
    }
    if (addresses.length === 0) throw new WebhookUrlNotAllowedError(`host ${target.host} has no addresses`);
    for (const a of addresses) {
      try {
        assertPublicAddress(a.address);
      } catch (err) {
        throw new WebhookUrlNotAllowedError(`host ${target.host} resolves to ${(err as WebhookUrlNotAllowedError).reason}`);
      }
    }
    return { target, addresses };
  }
}
