/**
 * Bad input on every public route answers 4xx problem+json, never 500: a table of known-nasty inputs, then a seeded
 * fast-check property over generated hostile query strings and bundle paths.
 */
import fc from 'fast-check';
import { ProblemSchema } from '@ttelgo/contracts';
import { createTestVhost, type TestVhost } from '@ttelgo/testing';
import { EsimDouble } from './support/esim.double';
import { json, rawGet, startTestGateway, type RawResponse, type TestGateway } from './support/gateway.harness';

let vhost: TestVhost;
let esim: EsimDouble;
let gateway: TestGateway;

beforeAll(async () => {
  vhost = await createTestVhost('gateway_hostile');
  esim = await new EsimDouble(vhost.url).start();
  gateway = await startTestGateway({ AMQP_URL: vhost.url });
});

afterAll(async () => {
  await gateway?.close();
  await esim?.stop();
  await vhost?.dispose();
});

const get = (path: string) => rawGet(gateway.handle.port, path);

/** The invariant: never a 5xx; every error is problem+json with a code and the request id; every response has one. */
function checkResponse(res: RawResponse, path: string): void {
  const where = `GET ${path.slice(0, 200)} -> ${res.status} ${res.body.slice(0, 300)}`;
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
