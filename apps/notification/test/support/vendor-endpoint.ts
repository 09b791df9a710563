/**
 * A real HTTP server standing in for vendors' webhook endpoints (port 0). Each vendor posts to /hooks/<key>;
 * a script per key says which statuses to answer in turn (the last one repeats; default 200).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedHook {
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  receivedAt: Date;
}

export interface VendorEndpoint {
  port: number;
  urlFor(key: string): string;
  script(key: string, responses: Array<number | { status: number; location?: string }>): void;
  received(key?: string): ReceivedHook[];
  close(): Promise<void>;
}

export async function startVendorEndpoint(): Promise<VendorEndpoint> {
  const hooks: ReceivedHook[] = [];
  const scripts = new Map<string, Array<{ status: number; location?: string }>>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      hooks.push({ path, headers: req.headers, rawBody: Buffer.concat(chunks).toString('utf8'), receivedAt: new Date() });
      const key = path.split('/')[2] ?? '';
      const script = scripts.get(key);
      const next = script && script.length > 1 ? script.shift()! : (script?.[0] ?? { status: 200 });
      res.statusCode = next.status;
      if (next.location) res.setHeader('Location', next.location);
      res.end(next.status < 300 ? 'ok' : `scripted ${next.status}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    urlFor: (key) => `http://127.0.0.1:${port}/hooks/${key}`,
    script: (key, responses) => scripts.set(key, responses.map((r) => (typeof r === 'number' ? { status: r } : r))),
    received: (key) => (key === undefined ? [...hooks] : hooks.filter((h) => h.path === `/hooks/${key}`)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
