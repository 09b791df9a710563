/**
 * OWASP API9:2023 Improper Inventory Management: every route the gateway serves is in the OpenAPI document, and
 * every documented operation exists (it answers something other than ROUTE_NOT_FOUND).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { json } from '../../apps/gateway/test/support/gateway.harness';
import { startSecurityGateway, type SecurityGateway } from './support/security-gateway';

const ROUTES_DIR = join(__dirname, '..', '..', 'apps', 'gateway', 'src', 'entry-points', 'http', 'routes');
let sec: SecurityGateway;
let documented: Set<string>;
beforeAll(async () => {
  sec = await startSecurityGateway('api9');
  const doc = json<{ paths: Record<string, Record<string, unknown>> }>(await sec.http.get('/api/v1/openapi.json'));
  documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)));
});
afterAll(() => sec?.close());

/** `router.get('/orders/:id', ...)` in the route files -> `GET /api/v1/orders/{id}`; webhooks keep their full path. */
function servedRoutes(): string[] {
  const found: string[] = [];
  for (const file of readdirSync(ROUTES_DIR).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(ROUTES_DIR, file), 'utf8');
    const base = '/api/v1';
    for (const m of text.matchAll(/router\.(get|post|put|patch|delete)\(\s*'([^']+)'/g)) {
      // The docs router serves the document itself and the Swagger UI page: neither is an API operation.
      if (file === 'docs.routes.ts') continue;
      found.push(`${m[1]!.toUpperCase()} ${base}${m[2]!.replace(/:([A-Za-z]+)/g, '{$1}')}`);
    }
    for (const m of text.matchAll(/export const [A-Z_]+_PATH = '([^']+)'/g)) found.push(`POST ${m[1]}`);
  }
  return found;
}

describe('API9 improper inventory management', () => {
  it('documents every route the gateway serves', () => {
    const served = servedRoutes();
    expect(served.length).toBeGreaterThan(20);
    expect(served.filter((r) => !documented.has(r))).toEqual([]);
  });

  it('serves every documented operation', async () => {
    const missing: string[] = [];
    for (const op of documented) {
      const [method, path] = op.split(' ') as [string, string];
      const res = await sec.http.send(method, path.replace(/\{[^}]+\}/g, 'x'), method === 'GET' || method === 'DELETE' ? undefined : {});
      if (res.status === 404 && res.body.includes('ROUTE_NOT_FOUND')) missing.push(op);
    }
    expect(missing).toEqual([]);
  });

  it('answers an undocumented path with 404 ROUTE_NOT_FOUND (no shadow or legacy API)', async () => {
    for (const path of ['/api/v0/orders', '/api/v2/orders', '/api/v1/internal/users', '/api/v1/debug', '/api/v1/admin']) {
      const res = await sec.http.get(path);
      expect({ path, status: res.status, code: json<{ code: string }>(res).code }).toEqual({ path, status: 404, code: 'ROUTE_NOT_FOUND' });
    }
  });
});
