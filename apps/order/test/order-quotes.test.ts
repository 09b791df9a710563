/**
 * Quotes in the order service: priced at the vendor's markup through esim-provisioning, stored with a 10-minute
 * expiry, nothing asked from billing but the vendor's terms (no hold, no outbox message).
 */
import { randomUUID } from 'node:crypto';
import { CreateQuoteV1, GetQuoteV1 } from '@ttelgo/contracts';
import { BUNDLE, vendorUnitPrice } from './support/esim.double';
import { OrderHarness } from './support/order.harness';

jest.setTimeout(90_000);

const h = new OrderHarness();

beforeAll(async () => {
  await h.start({ QUOTE_VALIDITY_MS: '600000' });
});

afterAll(async () => {
  await h.stop();
});

describe('quotes', () => {
  it('prices the basket at the vendor markup, keeps it 10 minutes, and moves no money', async () => {
    const vendorId = h.billing.addVendor({ markupBps: 1000 });
    const owner = { type: 'vendor' as const, id: vendorId };
    const quote = await h.call(CreateQuoteV1, { owner, items: [{ bundleName: BUNDLE.name, quantity: 7 }] });
    const unit = vendorUnitPrice(1000);
    expect(quote).toMatchObject({
      owner,
      items: [{ bundleName: BUNDLE.name, quantity: 7, unitPrice: { amount: unit, currency: 'USD' }, total: { amount: 7 * unit, currency: 'USD' } }],
      total: { amount: 7 * unit, currency: 'USD' },
    });
    expect(Date.parse(quote.expiresAt) - Date.parse(quote.createdAt)).toBe(600_000);
    expect(h.esim.getBundleRequests).toContainEqual({ name: BUNDLE.name, markupBps: 1000 });

    expect(await h.call(GetQuoteV1, { owner, quoteId: quote.id })).toEqual(quote);
    const { rows } = await h.pg.query(`SELECT count(*)::int AS n FROM "${h.schema}".outbox`);
    expect(rows[0].n).toBe(0);

    const other = { type: 'vendor' as const, id: h.billing.addVendor() };
    expect((await h.remoteError(h.call(GetQuoteV1, { owner: other, quoteId: quote.id }))).code).toBe('QUOTE_NOT_FOUND');
  });

  it('refuses a suspended vendor, an unknown bundle and more than 50 eSIMs; stores nothing then', async () => {
    const suspended = { type: 'vendor' as const, id: h.billing.addVendor({ status: 'SUSPENDED' }) };
    expect((await h.remoteError(h.call(CreateQuoteV1, { owner: suspended, items: [{ bundleName: BUNDLE.name, quantity: 1 }] }))).code).toBe('VENDOR_SUSPENDED');
    const owner = { type: 'vendor' as const, id: h.billing.addVendor() };
    expect((await h.remoteError(h.call(CreateQuoteV1, { owner, items: [{ bundleName: 'esim_NOPE', quantity: 1 }] }))).code).toBe('BUNDLE_NOT_FOUND');
    const tooMany = await h.remoteError(
      h.call(CreateQuoteV1, { owner, items: [{ bundleName: BUNDLE.name, quantity: 50 }, { bundleName: `${BUNDLE.name}`, quantity: 1 }] }),
    );
    expect(tooMany.code).toBe('ORDER_TOO_LARGE');
    const unknownVendor = { type: 'vendor' as const, id: randomUUID() };
    expect((await h.remoteError(h.call(CreateQuoteV1, { owner: unknownVendor, items: [{ bundleName: BUNDLE.name, quantity: 1 }] }))).code).toBe('VENDOR_NOT_FOUND');
    const { rows } = await h.pg.query(`SELECT count(*)::int AS n FROM "${h.schema}".quotes WHERE owner_id = ANY($1)`, [[suspended.id, owner.id, unknownVendor.id]]);
    expect(rows[0].n).toBe(0);
  });
});
