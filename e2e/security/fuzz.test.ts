/**
 * The short fuzz run of `npm test`: about 1,000 schema-driven requests (valid and hostile) over every operation of
 * the OpenAPI document, as anonymous, two travellers, a vendor and the admin, against the whole platform in this
 * process. No 5xx, every 4xx problem+json with a code, no actor sees another's data. `npm run fuzz` is the long run.
 */
import { formatSummary, runFuzz } from './fuzz/fuzz.runner';
import { prepareActors } from './fuzz/fuzz.actors';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestPlatform, type TestPlatform } from '../test/support/platform';

let platform: TestPlatform;
beforeAll(async () => {
  // Every actor shares 127.0.0.1: the per-user and per-account budgets are raised so the run reaches the handlers.
  platform = await startTestPlatform({ env: { USER_RATE_LIMIT_PER_MINUTE: '100000', AUTH_RATE_LIMIT_PER_MINUTE: '100000', REFRESH_RATE_LIMIT_PER_MINUTE: '100000', PASSWORD_RESET_RATE_LIMIT_PER_MINUTE: '100000', RPC_TIMEOUT_MS: '20000' } });
}, 120_000);
afterAll(() => platform?.stop());

it('answers ~1,000 generated requests without a 5xx, with problem+json on every 4xx, and without cross-tenant data', async () => {
  const { actors, knownIds } = await prepareActors(platform.api, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
  const summary = await runFuzz({ baseUrl: platform.api, requests: 1000, seed: 12, concurrency: 4, actors, knownIds });
  expect({ requests: summary.requests, failures: summary.failures, summary: formatSummary(summary) }).toEqual({ requests: 1000, failures: [], summary: expect.any(String) });
}, 120_000);
