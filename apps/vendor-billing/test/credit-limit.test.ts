/** Double spend against a POSTPAID credit limit: see support/double-spend.scenario.ts. */
import { BillingHarness } from './support/billing.harness';
import { raceDirect, raceThroughBroker } from './support/double-spend.scenario';

jest.setTimeout(120_000);

const h = new BillingHarness();
beforeAll(async () => {
  await h.start();
});
afterAll(async () => {
  await h.stop();
});

describe('vendor-billing: credit limit of a POSTPAID vendor', () => {
  it('50 concurrent reserve commands against a credit limit of exactly k orders: k reserved, the rest CREDIT_LIMIT_EXCEEDED', async () => {
    await raceThroughBroker(h, 'POSTPAID', 'adjustment');
  });

  it('50 concurrent direct reserve transactions race the conditional update: still exactly k', async () => {
    await raceDirect(h, 'POSTPAID');
  });
});
