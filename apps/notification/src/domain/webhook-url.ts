import { checkAddress, isIpLiteral } from './address-policy';

/** Thrown for a URL we will not call; surfaces to the RPC caller (and the vendor) as 400 WEBHOOK_URL_NOT_ALLOWED. */
export class WebhookUrlNotAllowedError extends Error {
  readonly code = 'WEBHOOK_URL_NOT_ALLOWED';
  readonly status = 400;

  constructor(reason: string) {
    super(`webhook URL not allowed: ${reason}`);
    this.name = 'WebhookUrlNotAllowedError';
  }
}

export interface WebhookTarget {
  url: URL;
  /** The hostname without IPv6 brackets. */
  host: string;
  /** True when the host is an IP literal (no DNS involved). */
  literal: boolean;
}

/**
 * The checks that need no network: http(s) only, no credentials in the URL (they would be sent to, and
 * logged by, whatever is on the other end and they do not belong in our database), a host, and, when the host
 * is an IP literal and private addresses are not allowed, a public address. Host names are resolved and
 * checked by the caller (at set time and again at every send).
 */
export function parseWebhookUrl(raw: string, opts: { allowPrivate: boolean }): WebhookTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookUrlNotAllowedError('not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new WebhookUrlNotAllowedError(`scheme ${url.protocol} (only http and https)`);
  if (url.username || url.password) throw new WebhookUrlNotAllowedError('credentials in the URL');
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (!host) throw new WebhookUrlNotAllowedError('no host');
  const literal = isIpLiteral(host);
  if (literal && !opts.allowPrivate) assertPublicAddress(host);
  return { url, host, literal };
}

export function assertPublicAddress(address: string): void {
  const verdict = checkAddress(address);
  if (!verdict.allowed) throw new WebhookUrlNotAllowedError(`${address} is a ${verdict.reason} address`);
}
