/**
 * Bad input on every public route answers 4xx problem+json, never 500: a table of known-nasty inputs, then a seeded
 * fast-check property over generated hostile query strings and bundle paths.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { ProblemSchema, TokenResponseSchema } from '@ttelgo/contracts';
import { createTestVhost, type TestVhost } from '@ttelgo/testing';
import { BillingDouble } from './support/billing.double';
import { EsimDouble } from './support/esim.double';
import { NotificationDouble } from './support/notification.double';
import { OrderDouble } from './support/order.double';
import { TEST_ADMIN, api, bearer, json, rawGet, rawRequest, startTestGateway, type RawResponse, type TestGateway } from './support/gateway.harness';

let vhost: TestVhost;
let esim: EsimDouble;
let order: OrderDouble;
let billing: BillingDouble;
let notification: NotificationDouble;
let gateway: TestGateway;
let token: string;
let adminToken: string;
let vendorId: string;
let vendorKey: string;

beforeAll(async () => {
  vhost = await createTestVhost('gateway_hostile');
  esim = await new EsimDouble(vhost.url).start();
  order = await new OrderDouble(vhost.url).start();
  gateway = await startTestGateway({ AMQP_URL: vhost.url }, 'gateway_hostile');
  const res = await api(gateway.handle.port).post('/api/v1/auth/register', { email: 'hostile@example.com', password: 'a perfectly fine password' });
  token = TokenResponseSchema.parse(json(res)).accessToken;
  billing = await new BillingDouble(vhost.url).start();
  notification = await new NotificationDouble(vhost.url).start();
  adminToken = TokenResponseSchema.parse(json(await api(gateway.handle.port).post('/api/v1/auth/login', TEST_ADMIN))).accessToken;
  vendorId = billing.addVendor({ rateLimitPerMinute: 100_000 }).id;
  const created = await api(gateway.handle.port).post(`/api/v1/admin/vendors/${vendorId}/api-keys`, { name: 'hostile' }, bearer(adminToken));
  vendorKey = json<{ key: string }>(created).key;
});

afterAll(async () => {
  await gateway?.close();
  await notification?.stop();
  await billing?.stop();
  await order?.stop();
  await esim?.stop();
  await vhost?.dispose();
});

const get = (path: string) => rawGet(gateway.handle.port, path);

/** The invariant: never a 5xx; every error is problem+json with a code and the request id; every response has one. */
function checkResponse(res: RawResponse, path: string, method = 'GET'): void {
  const where = `${method} ${path.slice(0, 200)} -> ${res.status} ${res.body.slice(0, 300)}`;
  if (res.status >= 500) throw new Error(`server error for ${where}`);
  if (typeof res.headers['x-request-id'] !== 'string') throw new Error(`no X-Request-Id for ${where}`);
  if (res.status >= 400) {
    if (!/^application\/problem\+json/.test(String(res.headers['content-type']))) throw new Error(`not problem+json: ${where}`);
    const problem = ProblemSchema.safeParse(json(res));
    if (!problem.success || problem.data.status !== res.status) throw new Error(`malformed problem: ${where}`);
  }
}

async function expectClientError(path: string, status = 400, code?: string): Promise<void> {
  const res = await get(path);
  checkResponse(res, path);
  expect({ path, status: res.status }).toEqual({ path, status });
  if (code) expect((json(res) as { code: string }).code).toBe(code);
}

describe('known hostile inputs', () => {
  it.each([
    ['limit=1e309'],
    ['limit=99999999999999999999'],
    ['limit=-1'],
    ['limit=0'],
    ['limit=101'],
    ['limit=1.5'],
    ['limit=abc'],
    ['limit='],
    ['limit=NaN'],
    ['limit=Infinity'],
    ['limit=1&limit=2'],
    ['limit[]=1'],
    ['country=FRA'],
    ['country=F1'],
    ['country=FR&country=DE'],
    ['country[x]=1'],
    ['country[$ne]=FR'],
    ['region='],
    [`region=${'x'.repeat(65)}`],
    ['cursor='],
    ['cursor=abc%20def'],
    ['cursor=../../etc/passwd'],
    ['cursor=%00'],
    [`cursor=${'a'.repeat(513)}`],
    ['unknown=1'],
    ['__proto__=1'],
    ['constructor=x'],
    ['%zz=1'],
  ])('GET /api/v1/bundles?%s -> 400 VALIDATION_FAILED', async (qs) => {
    await expectClientError(`/api/v1/bundles?${qs}`, 400, 'VALIDATION_FAILED');
  });

  it.each([
    ['NUL', '%00'],
    ['encoded ../', '%2e%2e%2f'],
    ['encoded traversal', '..%2F..%2Fetc%2Fpasswd'],
    ['encoded slash', 'a%2Fb'],
    ['space', '%20'],
    ['markup', 'bundle%3Cscript%3E'],
    ['non-ASCII', '%E2%82%AC'],
    ['invalid escape', '%zz'],
    ['truncated UTF-8 escape', '%E0%A4%A'],
    ['overlong UTF-8', '%C0%AE'],
    ['201 chars', 'x'.repeat(201)],
    ['10k chars', 'x'.repeat(10_000)],
  ])('GET /api/v1/bundles/<%s> -> 400', async (_label, segment) => {
    await expectClientError(`/api/v1/bundles/${segment}`, 400);
  });

  it('treats path traversal as an unknown route, not a file', async () => {
    await expectClientError('/api/v1/bundles/../../../etc/passwd', 404, 'ROUTE_NOT_FOUND');
    await expectClientError('/api/v1/bundles/esim_1GB_7D_FR_V2/extra', 404, 'ROUTE_NOT_FOUND');
  });
});

// ---- generators -------------------------------------------------------------------------------------------------

const KEYS = ['country', 'region', 'limit', 'cursor', 'Country', 'LIMIT', 'country[x]', 'limit[]', 'cursor[0]', '__proto__', 'constructor', 'toString', 'sort', '', '%zz', 'a.b', '$where'];
const NASTY_VALUES = [
  '1e309', '99999999999999999999', '-1', '0', '101', '1.5', '0x10', 'NaN', 'Infinity', '-0', ' 5', '', 'null', 'true', '[]', '{}',
  'FR', 'fr', 'FRA', 'Europe', '%00', '%zz', '%E0%A4%A', '%2e%2e%2f', '..%2F', '%27%20OR%201%3D1', '%3Cscript%3E', '%F0%9F%92%A5', 'o1', 'o999999',
];

/** Percent-encodes what node's HTTP client would refuse to send raw; leaves the rest (including '%') as generated. */
const encoded = (s: string) => encodeURIComponent(s);

const queryValue = fc.oneof(
  fc.constantFrom(...NASTY_VALUES),
  fc.string({ maxLength: 40 }).map(encoded),
  fc.string({ unit: 'grapheme', maxLength: 20 }).map(encoded),
  fc.integer().map(String),
  fc.double().map(String),
  fc.nat(600).map((n) => 'A'.repeat(n)),
);
const queryKey = fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 12 }).map(encoded));
const queryPair = fc.oneof(
  fc.tuple(queryKey, queryValue).map(([k, v]) => `${k}=${v}`),
  queryKey,
  fc.constantFrom('&', '=', '==', '&&=&', '%', '?'),
);
const queryString = fc.array(queryPair, { maxLength: 6 }).map((pairs) => pairs.join('&'));

const pathSegment = fc.oneof(
  fc.constantFrom('%00', '..', '.', '%2e%2e', '%2F', '%zz', '%E0%A4%A', '%C0%AE', 'esim_1GB_7D_FR_V2', 'double-crash', '~', '%7E', '!', '*'),
  fc.string({ maxLength: 60 }).map(encoded),
  fc.string({ unit: 'grapheme', maxLength: 30 }).map(encoded),
  fc.nat(3000).map((n) => 'b'.repeat(n)),
);
const bundlePath = fc
  .tuple(fc.array(pathSegment, { minLength: 1, maxLength: 3 }), fc.option(queryString, { nil: undefined }))
  .map(([segments, qs]) => `/api/v1/bundles/${segments.join('')}${qs === undefined ? '' : `?${qs}`}`);

describe('property: hostile requests never cause a 5xx', () => {
  it('GET /api/v1/bundles?<generated query>', async () => {
    await fc.assert(
      fc.asyncProperty(queryString, async (qs) => {
        const path = `/api/v1/bundles?${qs}`;
        checkResponse(await get(path), path);
      }),
      { seed: 20261128, numRuns: 200 },
    );
  });

  it('GET /api/v1/bundles/<generated name>', async () => {
    await fc.assert(
      fc.asyncProperty(bundlePath, async (path) => {
        checkResponse(await get(path), path);
      }),
      { seed: 20261129, numRuns: 200 },
    );
  });
});

// ---- the account, order, eSIM and webhook routes ------------------------------------------------------------------

const POST_ROUTES = ['/api/v1/auth/register', '/api/v1/auth/login', '/api/v1/auth/refresh', '/api/v1/auth/logout', '/api/v1/orders', '/api/v1/webhooks/stripe'];

const NASTY_BODIES = [
  '', '{', '}', 'null', 'true', '0', '"string"', '[]', '{}', '[{}]', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}',
  '{"email":null,"password":null}', '{"email":["a@b.c"],"password":"xxxxxxxxxxxx"}', '{"email":"a@b.c","password":{"$gt":""}}',
  '{"refreshToken":123}', '{"refreshToken":"' + 'r'.repeat(10_000) + '"}', '{"bundleName":"esim_1GB_7D_FR_V2","quantity":1e309}',
  '{"bundleName":"esim_1GB_7D_FR_V2","quantity":"1"}', '{"bundleName":"../../etc","quantity":1}', '{"bundleName":"esim_1GB_7D_FR_V2","quantity":-0}',
  '[' .repeat(5000) + ']'.repeat(5000), '{"a":' + '{"a":'.repeat(3000) + '1' + '}'.repeat(3001), 'x'.repeat(200_000), '\u0000', '\ud800',
];

const hostileBody = fc.oneof(
  fc.constantFrom(...NASTY_BODIES),
  fc.json({ maxDepth: 4 }),
  fc.string({ maxLength: 200 }),
  fc.record({ email: fc.oneof(fc.emailAddress(), fc.string()), password: fc.string({ maxLength: 300 }) }).map((v) => JSON.stringify(v)),
  fc.record({ bundleName: fc.string({ maxLength: 250 }), quantity: fc.oneof(fc.integer(), fc.double(), fc.string()) }).map((v) => JSON.stringify(v)),
  fc.record({ refreshToken: fc.string({ maxLength: 300 }) }).map((v) => JSON.stringify(v)),
);
const hostileAuthorization = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom('Bearer', 'Bearer ', 'bearer x.y.z', 'Basic Zm9vOmJhcg==', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', `Bearer ${'A'.repeat(9000)}`),
  fc.string({ maxLength: 100 }).map((s) => `Bearer ${s.replace(/[^\x20-\x7e]/g, '')}`),
  fc.constant('VALID'),
);
const hostileKey = fc.oneof(fc.constant(undefined), fc.constantFrom('', ' ', 'k'.repeat(256), 'a,b', '%00'), fc.uuid(), fc.string({ maxLength: 300 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')));
const hostileContentType = fc.constantFrom('application/json', 'application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'multipart/form-data; boundary=x');

describe('property: hostile requests to the account, order and webhook routes never cause a 5xx', () => {
  it('POST <route> with generated bodies, tokens, idempotency keys and content types', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...POST_ROUTES), hostileBody, hostileAuthorization, hostileKey, hostileContentType, async (route, body, auth, key, contentType) => {
        const headers: Record<string, string> = { 'content-type': contentType };
        if (auth !== undefined) headers['authorization'] = auth === 'VALID' ? `Bearer ${token}` : auth;
        if (key !== undefined) headers['idempotency-key'] = key;
        if (route.endsWith('/stripe')) headers['stripe-signature'] = `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`;
        const res = await rawRequest(gateway.handle.port, 'POST', route, { headers, body });
        checkResponse(res, route, 'POST');
      }),
      { seed: 20261130, numRuns: 300 },
    );
  });

  it('GET /orders/<id>, /esims/<iccid>[/qrcode] with generated ids and queries', async () => {
    const idSegment = fc.oneof(pathSegment, fc.uuid(), fc.stringMatching(/^[0-9]{18,22}$/));
    const target = fc.tuple(fc.constantFrom('/api/v1/orders/', '/api/v1/esims/', '/api/v1/orders?', '/api/v1/esims?'), idSegment, fc.boolean(), fc.option(queryString, { nil: undefined }));
    await fc.assert(
      fc.asyncProperty(target, async ([prefix, segment, qr, qs]) => {
        const raw = prefix.endsWith('?') ? `${prefix}${qs ?? segment}` : `${prefix}${segment}${qr && prefix.includes('esims') ? '/qrcode' : ''}${qs === undefined ? '' : `?${qs}`}`;
        // Node's client refuses to send a raw space; everything else goes out as generated.
        const path = raw.replace(/ /g, '%20');
        checkResponse(await rawGet(gateway.handle.port, path, bearer(token)), path);
      }),
      { seed: 20261131, numRuns: 200 },
    );
  });

  it('answers the known nasty bodies with 4xx problem+json (never 500) on every POST route', async () => {
    for (const route of POST_ROUTES) {
      for (const body of NASTY_BODIES) {
        const res = await rawRequest(gateway.handle.port, 'POST', route, {
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': randomUUID() },
          body,
        });
        checkResponse(res, `${route} <${body.slice(0, 30)}>`, 'POST');
        expect({ route, body: body.slice(0, 30), status: res.status < 500 }).toEqual({ route, body: body.slice(0, 30), status: true });
      }
    }
  });
});

// ---- the reseller and operator routes -----------------------------------------------------------------------------

const VENDOR_WRITES: Array<[string, string]> = [
  ['POST', '/api/v1/vendor/orders'],
  ['POST', '/api/v1/vendor/topups'],
  ['PUT', '/api/v1/vendor/webhook-endpoint'],
];
const ADMIN_WRITES: Array<[string, string]> = [
  ['POST', '/api/v1/admin/vendors'],
  ['PATCH', '/api/v1/admin/vendors/VENDOR'],
  ['POST', '/api/v1/admin/vendors/VENDOR/api-keys'],
  ['POST', '/api/v1/admin/vendors/VENDOR/adjustments'],
  ['DELETE', '/api/v1/admin/vendors/VENDOR/api-keys/abcdefghij0123456789'],
  ['POST', '/api/v1/admin/orders/VENDOR/refund'],
];
const B2B_BODIES = [
  ...NASTY_BODIES,
  '{"bundleName":"esim_1GB_7D_FR_V2","quantity":1,"price":{"amount":1,"currency":"USD"}}',
  '{"bundleName":"esim_1GB_7D_FR_V2","quantity":1,"customerReference":"\\u0000\\u001b[31m"}',
  '{"amount":1e309}', '{"amount":"5000"}', '{"amount":-5000}', '{"amount":5000,"status":"CREDITED"}',
  '{"url":"file:///etc/passwd"}', '{"url":"http://[::1]:80/"}', '{"url":"javascript:alert(1)"}', '{"url":"' + 'h'.repeat(5000) + '"}',
  '{"name":"x","email":"x@example.com","billingMode":"BARTER","currency":"usd"}', '{"markupPercent":1e308}', '{"status":"DELETED"}',
  '{"creditLimit":-1}', '{"rateLimitPerMinute":0}', '{"amount":0,"reason":""}', '{"name":"' + 'n'.repeat(1000) + '"}',
];
const b2bBody = fc.oneof(
  fc.constantFrom(...B2B_BODIES),
  fc.json({ maxDepth: 4 }),
  fc.record({ bundleName: fc.string({ maxLength: 250 }), quantity: fc.oneof(fc.integer(), fc.double()), customerReference: fc.string({ maxLength: 300 }) }).map((v) => JSON.stringify(v)),
  fc.record({ amount: fc.oneof(fc.integer(), fc.double(), fc.string()) }).map((v) => JSON.stringify(v)),
  fc.record({ url: fc.oneof(fc.webUrl(), fc.string({ maxLength: 100 })), rotateSecret: fc.anything() }).map((v) => JSON.stringify(v)),
  fc.record({ status: fc.string(), creditLimit: fc.integer(), markupPercent: fc.double(), rateLimitPerMinute: fc.integer() }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
);
const hostileApiKey = fc.oneof(
  fc.constant(undefined),
  fc.constant('VALID'),
  fc.constantFrom('', 'ttk_', 'ttk__', `ttk_${'a'.repeat(20)}_`, `ttk_${'a'.repeat(20)}_${'b'.repeat(43)}`, `ttk_${'A'.repeat(300)}`, 'ttk_%00_x', 'Bearer x'),
  fc.string({ maxLength: 300 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
);
const hostilePrefer = fc.oneof(fc.constant(undefined), fc.constantFrom('wait=0', 'wait=1', 'wait=-1', 'wait=99999999999999999999', 'wait=1e9', 'wait', 'respond-async, wait=0', ',,,'));

describe('property: hostile requests to the reseller and operator routes never cause a 5xx', () => {
  it('vendor writes with generated bodies, keys, Prefer and idempotency keys', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...VENDOR_WRITES), b2bBody, hostileApiKey, hostilePrefer, hostileKey, hostileContentType, async ([method, route], body, key, prefer, idem, contentType) => {
        const headers: Record<string, string> = { 'content-type': contentType };
        if (key !== undefined) headers['x-api-key'] = key === 'VALID' ? vendorKey : key;
        if (prefer !== undefined) headers['prefer'] = prefer;
        if (idem !== undefined) headers['idempotency-key'] = idem;
        const res = await rawRequest(gateway.handle.port, method, route, { headers, body });
        checkResponse(res, route, method);
      }),
      { seed: 20261205, numRuns: 250 },
    );
  });

  it('vendor reads with generated ids and queries', async () => {
    const idSegment = fc.oneof(pathSegment, fc.uuid(), fc.stringMatching(/^[0-9]{18,22}$/));
    const prefixes = ['/api/v1/vendor/orders/', '/api/v1/vendor/esims/', '/api/v1/vendor/orders?', '/api/v1/vendor/bundles?', '/api/v1/vendor/ledger?', '/api/v1/vendor/balance?'];
    const target = fc.tuple(fc.constantFrom(...prefixes), idSegment, fc.boolean(), fc.option(queryString, { nil: undefined }), hostileApiKey);
    await fc.assert(
      fc.asyncProperty(target, async ([prefix, segment, qr, qs, key]) => {
        const raw = prefix.endsWith('?') ? `${prefix}${qs ?? segment}` : `${prefix}${segment}${qr && prefix.includes('esims') ? '/qrcode' : ''}${qs === undefined ? '' : `?${qs}`}`;
        const path = raw.replace(/ /g, '%20');
        const headers: Record<string, string> = key === undefined ? {} : { 'x-api-key': key === 'VALID' ? vendorKey : key };
        checkResponse(await rawGet(gateway.handle.port, path, headers), path);
      }),
      { seed: 20261206, numRuns: 200 },
    );
  });

  it('admin writes and reads with generated bodies, ids and queries', async () => {
    const id = fc.oneof(fc.constant(vendorId), fc.uuid(), pathSegment);
    const auth = fc.oneof(fc.constant('ADMIN'), fc.constant('CUSTOMER'), fc.constant(undefined));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ADMIN_WRITES), id, b2bBody, auth, hostileKey, async ([method, template], vendor, body, who, idem) => {
        const route = template.replace('VENDOR', vendor).replace(/ /g, '%20');
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (who !== undefined) headers['authorization'] = `Bearer ${who === 'ADMIN' ? adminToken : token}`;
        if (idem !== undefined) headers['idempotency-key'] = idem;
        checkResponse(await rawRequest(gateway.handle.port, method, route, { headers, body }), route, method);
      }),
      { seed: 20261207, numRuns: 200 },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/api/v1/admin/audit-log?', '/api/v1/admin/orders?', '/api/v1/admin/vendors?'), queryString, async (prefix, qs) => {
        const path = `${prefix}${qs}`;
        checkResponse(await rawGet(gateway.handle.port, path, bearer(adminToken)), path);
      }),
      { seed: 20261208, numRuns: 150 },
    );
  });
});
