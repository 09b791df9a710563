/** Double spend on a PREPAID wallet: see support/double-spend.scenario.ts. */
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

describe('vendor-billing: double spend on a PREPAID wallet', () => {
  it('50 concurrent reserve commands against a wallet topped up by card for exactly k orders: k reserved, the rest INSUFFICIENT_FUNDS', async () => {
    await raceThroughBroker(h, 'PREPAID', 'topup');
  });

  it('the same through an admin adjustment as the credit', async () => {
    await raceThroughBroker(h, 'PREPAID', 'adjustment');
  });

  it('50 concurrent direct reserve transactions race the conditional update: still exactly k', async () => {
    await raceDirect(h, 'PREPAID');
  });
});
