import { checkAddress, isIpLiteral } from './address-policy';

/**
 * Thrown for a URL we will not call; surfaces to the RPC caller (and the vendor) as 400 WEBHOOK_URL_NOT_ALLOWED with
 * one fixed message. The reason stays in our logs: telling the vendor what a host resolves to, or that it does not
 * resolve, would let it map our network through the error.
 */
export class WebhookUrlNotAllowedError extends Error {
  readonly code = 'WEBHOOK_URL_NOT_ALLOWED';
  readonly status = 400;
  /** Why, for our logs only. */
  readonly reason: string;

  constructor(reason: string) {
    super('The webhook URL is not allowed.');
    this.name = 'WebhookUrlNotAllowedError';
    this.reason = reason;
  }
}

export interface WebhookUrlRules {
  /** Development and tests: private addresses and single-label hosts are allowed. */
  allowPrivate: boolean;
  /** Production default: only https. */
  requireHttps?: boolean;
  /** Production default: 443 and 8443; undefined allows any port. */
  allowedPorts?: readonly number[] | undefined;
}

export interface WebhookTarget {
  url: URL;
  /** The hostname without IPv6 brackets. */
  host: string;
  /** True when the host is an IP literal (no DNS involved). */
  literal: boolean;
}

/**
 * The checks that need no network: http(s) only (https only when `requireHttps`), an allowed port, no credentials
 * in the URL (they would be sent to, and logged by, whatever is on the other end and they do not belong in our
 * database), a host, and, unless private addresses are allowed, a public address when the host is an IP literal and
 * a dotted name otherwise (a single label like `metadata` or `redis` is resolved through the search domains, into
 * our own network). Host names are resolved and checked by the caller (at set time and again at every send).
 */
export function parseWebhookUrl(raw: string, opts: WebhookUrlRules): WebhookTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookUrlNotAllowedError('not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new WebhookUrlNotAllowedError(`scheme ${url.protocol} (only http and https)`);
  if (opts.requireHttps && url.protocol !== 'https:') throw new WebhookUrlNotAllowedError('scheme http (https is required)');
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  if (opts.allowedPorts && !opts.allowedPorts.includes(port)) throw new WebhookUrlNotAllowedError(`port ${port} (allowed: ${opts.allowedPorts.join(', ')})`);
  if (url.username || url.password) throw new WebhookUrlNotAllowedError('credentials in the URL');
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (!host) throw new WebhookUrlNotAllowedError('no host');
  const literal = isIpLiteral(host);
  if (literal && !opts.allowPrivate) assertPublicAddress(host);
  if (!literal && !opts.allowPrivate && !host.replace(/\.$/, '').includes('.')) throw new WebhookUrlNotAllowedError(`single-label host ${host}`);
  return { url, host, literal };
}

export function assertPublicAddress(address: string): void {
  const verdict = checkAddress(address);
  if (!verdict.allowed) throw new WebhookUrlNotAllowedError(`${address} is a ${verdict.reason} address`);
}
