import http from 'node:http';
import { testLogger, waitFor } from '@ttelgo/testing';
import { loadGatewayConfig } from '../../src/config';
import { startGateway, type GatewayHandle } from '../../src/service';

export interface TestGateway {
  handle: GatewayHandle;
  baseUrl: string;
  opsUrl: string;
  close(): Promise<void>;
}

/** The gateway on ports 0, configured through the same env parsing as production, and ready (broker connected). */
export async function startTestGateway(env: Record<string, string>): Promise<TestGateway> {
  const config = loadGatewayConfig({ PORT: '0', OPS_PORT: '0', ...env });
  const handle = await startGateway(config, { logger: testLogger('gateway') });
  const baseUrl = `http://127.0.0.1:${handle.port}`;
  const opsUrl = `http://127.0.0.1:${handle.opsPort}`;
  await waitFor(async () => (await fetch(`${opsUrl}/health/ready`)).status === 200, { timeoutMs: 15_000, message: 'gateway not ready' });
  return { handle, baseUrl, opsUrl, close: () => handle.close() };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A GET with the path sent exactly as given: fetch and supertest normalise URLs (`/a/../b` becomes `/b`, `%zz` is
 * re-encoded), which would hide precisely the inputs the hostile-input tests want to send.
 */
export function rawGet(port: number, path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export function json<T = unknown>(res: RawResponse): T {
  return JSON.parse(res.body) as T;
}
