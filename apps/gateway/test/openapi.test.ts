/**
 * The published API description: OpenAPI 3.1 generated from the zod schemas the routes validate with, and Swagger UI.
 */
import { ListBundlesQuerySchema } from '@ttelgo/contracts';
import { createTestVhost, type TestVhost } from '@ttelgo/testing';
import { json, rawGet, startTestGateway, type TestGateway } from './support/gateway.harness';

interface Parameter { name: string; in: string; required?: boolean; schema: Record<string, unknown> }
interface Operation { parameters: Parameter[]; responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, { schema: { $ref?: string } }> }> }
interface Doc { openapi: string; servers?: Array<{ url: string }>; paths: Record<string, { get: Operation }>; components: { schemas: Record<string, unknown> } }

let vhost: TestVhost;
let gateway: TestGateway;

beforeAll(async () => {
  vhost = await createTestVhost('gateway_openapi');
  gateway = await startTestGateway({ AMQP_URL: vhost.url, PUBLIC_BASE_URL: 'https://api.ttelgo.test/' });
});

afterAll(async () => {
  await gateway?.close();
  await vhost?.dispose();
});

describe('GET /api/v1/openapi.json', () => {
  let doc: Doc;

  beforeAll(async () => {
    const res = await rawGet(gateway.handle.port, '/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = json<Doc>(res);
  });

  it('is OpenAPI 3.1 with the public base URL as server', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: 'https://api.ttelgo.test' }]);
    expect(Object.keys(doc.paths).sort()).toEqual(['/api/v1/bundles', '/api/v1/bundles/{name}']);
  });

  it('documents the list query parameters exactly as the validating schema defines them', () => {
    const params = doc.paths['/api/v1/bundles']!.get.parameters;
    const query = params.filter((p) => p.in === 'query');
    expect(query.map((p) => p.name).sort()).toEqual(Object.keys(ListBundlesQuerySchema.shape).sort());
    expect(query.find((p) => p.name === 'limit')!.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 100, default: 20 });
    expect(query.find((p) => p.name === 'cursor')!.schema).toMatchObject({ maxLength: 512, pattern: '^[A-Za-z0-9_-]+$' });
    expect(params).toContainEqual(expect.objectContaining({ name: 'X-Request-Id', in: 'header', required: false }));
    expect(params).toContainEqual(expect.objectContaining({ name: 'If-None-Match', in: 'header' }));
  });

  it('documents the bundle name path parameter', () => {
    const params = doc.paths['/api/v1/bundles/{name}']!.get.parameters;
    expect(params).toContainEqual(
      expect.objectContaining({ name: 'name', in: 'path', required: true, schema: expect.objectContaining({ maxLength: 200 }) }),
    );
  });

  it('documents responses: bodies by $ref, problem+json errors, X-Request-Id everywhere', () => {
    const list = doc.paths['/api/v1/bundles']!.get.responses;
    const get = doc.paths['/api/v1/bundles/{name}']!.get.responses;
    expect(list['200']!.content!['application/json']!.schema.$ref).toBe('#/components/schemas/BundleList');
    expect(get['200']!.content!['application/json']!.schema.$ref).toBe('#/components/schemas/Bundle');
    expect(Object.keys(list)).toEqual(expect.arrayContaining(['200', '304', '400', '503', '504']));
    expect(Object.keys(get)).toEqual(expect.arrayContaining(['200', '304', '400', '404', '503', '504']));
    expect(get['404']!.content!['application/problem+json']!.schema.$ref).toBe('#/components/schemas/Problem');
    expect(list['503']!.headers).toHaveProperty('Retry-After');
    for (const op of [list, get]) {
      for (const response of Object.values(op)) expect(response.headers).toHaveProperty('X-Request-Id');
    }
    expect(Object.keys(doc.components.schemas).sort()).toEqual(['Bundle', 'BundleList', 'Problem']);
  });
});

describe('GET /api/docs', () => {
  it('serves Swagger UI as HTML with its assets, under a CSP relaxed for the docs only', async () => {
    for (const path of ['/api/docs', '/api/docs/']) {
      const res = await rawGet(gateway.handle.port, path);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('<base href="/api/docs/">');
      expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
      expect(res.headers['x-request-id']).toEqual(expect.any(String));
    }
    const init = await rawGet(gateway.handle.port, '/api/docs/swagger-ui-init.js');
    expect(init.status).toBe(200);
    expect(init.body).toContain('/api/v1/openapi.json');
    const css = await rawGet(gateway.handle.port, '/api/docs/swagger-ui.css');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);

    // Elsewhere helmet's default CSP stays in force.
    const api = await rawGet(gateway.handle.port, '/api/v1/openapi.json');
    expect(api.headers['content-security-policy']).toContain('upgrade-insecure-requests');
  });
});
