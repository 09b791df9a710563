/**
 * The published API description: OpenAPI 3.1 generated from the zod schemas the routes validate with, and Swagger UI.
 */
import { ListBundlesQuerySchema } from '@ttelgo/contracts';
import { createTestVhost, type TestVhost } from '@ttelgo/testing';
import { json, rawGet, startTestGateway, type TestGateway } from './support/gateway.harness';

interface Parameter { name: string; in: string; required?: boolean; schema: Record<string, unknown> }
interface Operation {
  parameters: Parameter[];
  security?: Array<Record<string, string[]>>;
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
  responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, { schema: { $ref?: string } }> }>;
}
interface Doc {
  openapi: string;
  servers?: Array<{ url: string }>;
  paths: Record<string, { get: Operation; post: Operation }>;
  components: { schemas: Record<string, Record<string, unknown>>; securitySchemes?: Record<string, unknown> };
}

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
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/v1/auth/login',
      '/api/v1/auth/logout',
      '/api/v1/auth/password-reset',
      '/api/v1/auth/password-reset/confirm',
      '/api/v1/auth/refresh',
      '/api/v1/auth/register',
      '/api/v1/bundles',
      '/api/v1/bundles/{name}',
      '/api/v1/exchange-rates',
      '/api/v1/esims',
      '/api/v1/esims/{iccid}',
      '/api/v1/esims/{iccid}/qrcode',
      '/api/v1/esims/{iccid}/install',
      '/api/v1/devices/compatible',
      '/api/v1/esims/{iccid}/topups',
      '/api/v1/me',
      '/api/v1/orders',
      '/api/v1/orders/{id}',
      '/api/v1/webhooks/esimgo',
      '/api/v1/webhooks/stripe',
      '/api/v1/admin/audit-log',
      '/api/v1/admin/dead-letters',
      '/api/v1/admin/dead-letters/{id}/replay',
      '/api/v1/admin/orders',
      '/api/v1/admin/orders/{id}/refund',
      '/api/v1/admin/vendors',
      '/api/v1/admin/vendors/{id}',
      '/api/v1/admin/vendors/{id}/adjustments',
      '/api/v1/admin/vendors/{id}/payments',
      '/api/v1/admin/vendors/{id}/statements/{month}',
      '/api/v1/admin/vendors/{id}/api-keys',
      '/api/v1/admin/vendors/{id}/api-keys/{keyId}',
      '/api/v1/vendor/balance',
      '/api/v1/vendor/bundles',
      '/api/v1/vendor/esims',
      '/api/v1/vendor/events',
      '/api/v1/vendor/events/{id}',
      '/api/v1/vendor/events/{id}/redeliver',
      '/api/v1/vendor/esims/{iccid}',
      '/api/v1/vendor/esims/{iccid}/qrcode',
      '/api/v1/vendor/esims/{iccid}/install',
      '/api/v1/vendor/esims/{iccid}/topups',
      '/api/v1/vendor/ledger',
      '/api/v1/vendor/orders',
      '/api/v1/vendor/orders/{id}',
      '/api/v1/vendor/orders/{id}/cancel',
      '/api/v1/vendor/orders/{id}/qrcodes.zip',
      '/api/v1/vendor/quotes',
      '/api/v1/vendor/quotes/{id}',
      '/api/v1/vendor/statements/{month}',
      '/api/v1/vendor/topups',
      '/api/v1/vendor/webhook-endpoint',
      '/api/v1/vendor/webhook-endpoint/test',
    ].sort());
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
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Bundle', 'BundleList', 'Problem']));
  });

  it('declares the X-API-Key scheme on every reseller route, with Prefer, Idempotency-Key and strict bodies', () => {
    expect(doc.components.securitySchemes).toMatchObject({ apiKeyAuth: { type: 'apiKey', in: 'header', name: 'X-API-Key' } });
    const paths = doc.paths as unknown as Record<string, Record<string, Operation>>;
    for (const [path, item] of Object.entries(paths).filter(([p]) => p.startsWith('/api/v1/vendor/'))) {
      for (const op of Object.values(item)) expect({ path, security: op.security }).toEqual({ path, security: [{ apiKeyAuth: [] }] });
    }
    for (const [path, item] of Object.entries(paths).filter(([p]) => p.startsWith('/api/v1/admin/'))) {
      for (const op of Object.values(item)) expect({ path, security: op.security }).toEqual({ path, security: [{ bearerAuth: [] }] });
    }
    const place = doc.paths['/api/v1/vendor/orders']!.post;
    expect(place.parameters).toContainEqual(expect.objectContaining({ name: 'Prefer', in: 'header' }));
    expect(place.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true }));
    expect(Object.keys(place.responses)).toEqual(expect.arrayContaining(['201', '202', '400', '401', '403', '429']));
    expect(place.responses['202']!.headers).toHaveProperty('Location');
    expect(place.responses['201']!.headers).toHaveProperty('RateLimit-Remaining');
    expect(doc.components.schemas['VendorPlaceOrderRequest']).toMatchObject({ additionalProperties: false, required: ['bundleName', 'quantity'] });
    expect(doc.components.schemas['CreateVendorRequest']).toMatchObject({ additionalProperties: false });
  });

  it('declares the bearer JWT scheme and requires it on the customer routes', () => {
    expect(doc.components.securitySchemes).toMatchObject({ bearerAuth: expect.objectContaining({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }) });
    const secured = [doc.paths['/api/v1/me']!.get, doc.paths['/api/v1/orders']!.post, doc.paths['/api/v1/orders']!.get, doc.paths['/api/v1/orders/{id}']!.get,
      doc.paths['/api/v1/esims']!.get, doc.paths['/api/v1/esims/{iccid}']!.get, doc.paths['/api/v1/esims/{iccid}/qrcode']!.get];
    for (const op of secured) expect(op.security).toEqual([{ bearerAuth: [] }]);
    for (const op of [doc.paths['/api/v1/auth/login']!.post, doc.paths['/api/v1/bundles']!.get, doc.paths['/api/v1/webhooks/stripe']!.post,
      doc.paths['/api/v1/webhooks/esimgo']!.post]) {
      expect(op.security).toBeUndefined();
    }
    expect(doc.paths['/api/v1/me']!.get.responses['401']!.content!['application/problem+json']!.schema.$ref).toBe('#/components/schemas/Problem');
  });

  it('documents the auth and order bodies from the validating schemas, with Idempotency-Key and rate-limit headers', () => {
    const register = doc.paths['/api/v1/auth/register']!.post;
    expect(register.requestBody!.content['application/json']!.schema.$ref).toBe('#/components/schemas/RegisterRequest');
    expect(doc.components.schemas['RegisterRequest']).toMatchObject({
      additionalProperties: false,
      required: ['email', 'password'],
      properties: { password: { minLength: 10, maxLength: 200 }, email: { format: 'email' } },
    });
    expect(register.responses['201']!.content!['application/json']!.schema.$ref).toBe('#/components/schemas/TokenResponse');
    expect(register.responses['201']!.headers).toHaveProperty('RateLimit-Remaining');
    expect(register.responses['429']!.headers).toHaveProperty('Retry-After');

    const placeOrder = doc.paths['/api/v1/orders']!.post;
    expect(placeOrder.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true }));
    expect(placeOrder.responses['201']!.content!['application/json']!.schema.$ref).toBe('#/components/schemas/PlacedOrder');
    expect(Object.keys(placeOrder.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '409', '422', '503']));
    expect(doc.components.schemas['PlaceOrderRequest']).toMatchObject({ properties: { quantity: { minimum: 1, maximum: 10 } } });
    expect(doc.paths['/api/v1/orders/{id}']!.get.parameters).toContainEqual(
      expect.objectContaining({ name: 'id', in: 'path', schema: expect.objectContaining({ format: 'uuid' }) }),
    );
    expect(Object.keys(doc.paths['/api/v1/esims/{iccid}/qrcode']!.get.responses['200']!.content!)).toEqual(['image/png']);
    expect(doc.paths['/api/v1/webhooks/stripe']!.post.parameters).toContainEqual(expect.objectContaining({ name: 'Stripe-Signature', in: 'header', required: true }));
    expect(doc.paths['/api/v1/webhooks/esimgo']!.post.parameters).toContainEqual(expect.objectContaining({ name: 'X-Signature-SHA256', in: 'header', required: true }));
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
