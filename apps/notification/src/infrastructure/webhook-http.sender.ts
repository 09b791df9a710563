import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { WebhookRequest, WebhookResponse, WebhookSender } from '../application/channels/webhook/webhook.ports';
import type { ResolvedAddress, WebhookUrlGuard } from './webhook-url.guard';

const MAX_RESPONSE_SNIPPET = 512;

/**
 * POSTs with node:http(s), which never follows redirects (a 3xx is just a non-2xx answer). Before every send the
 * guard resolves and checks the host again, and the socket connects only to those checked addresses (custom
 * `lookup`), so a DNS answer that changes to 127.0.0.1 after the check (rebinding) is never connected to. TLS
 * still verifies the certificate against the host name (SNI and Host header are unchanged).
 */
export class HttpWebhookSender implements WebhookSender {
  constructor(private readonly opts: { guard: WebhookUrlGuard; timeoutMs: number }) {}

  async post(request: WebhookRequest): Promise<WebhookResponse> {
    const { target, addresses } = await this.opts.guard.check(request.url);
    const url = target.url;
    const client = url.protocol === 'https:' ? https : http;
    const body = Buffer.from(request.body, 'utf8');
    return new Promise<WebhookResponse>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const req = client.request(
        url,
        {
          method: 'POST',
          agent: false,
          headers: { ...request.headers, 'Content-Length': String(body.length), Connection: 'close' },
          ...(addresses && !target.literal ? { lookup: pinnedLookup(addresses) } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            if (size < MAX_RESPONSE_SNIPPET) chunks.push(chunk);
            size += chunk.length;
            // We only keep a snippet for the log; a vendor streaming megabytes back does not hold the worker.
            if (size > 64 * 1024) res.destroy();
          });
          const done = (): void =>
            finish(() => resolve({ status: res.statusCode ?? 0, bodySnippet: Buffer.concat(chunks).subarray(0, MAX_RESPONSE_SNIPPET).toString('utf8').trim() }));
          res.on('end', done);
          res.on('close', done);
          res.on('error', done);
        },
      );
      const timer = setTimeout(() => {
        req.destroy(new Error(`no response within ${this.opts.timeoutMs} ms`));
      }, this.opts.timeoutMs);
      req.on('error', (err) => finish(() => reject(err)));
      req.end(body);
    });
  }
}

/** A `lookup` that answers with the addresses the guard already checked instead of asking DNS again. */
function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return ((_hostname: string, options: { all?: boolean; family?: number | string }, callback: (...args: unknown[]) => void) => {
    const family = options.family === 6 || options.family === 'IPv6' ? 6 : options.family === 4 || options.family === 'IPv4' ? 4 : 0;
    const usable = family ? addresses.filter((a) => a.family === family) : addresses;
    if (usable.length === 0) {
      callback(Object.assign(new Error('no checked address of the requested family'), { code: 'ENOTFOUND' }));
      return;
    }
    if (options.all) callback(null, usable.map((a) => ({ address: a.address, family: a.family })));
    else callback(null, usable[0]!.address, usable[0]!.family);
  }) as unknown as LookupFunction;
}
