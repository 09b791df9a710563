/**
 * Component test of top-up orders (order.place-topup.v1): the B2C and B2B sagas with a TOPUP order, driven by
 * doubles of esim-provisioning (which quotes the top-up and answers esim.apply-bundle.v1), payment and
 * vendor-billing over a real RabbitMQ vhost, the service on a real Postgres schema.
 */
import { randomUUID } from 'node:crypto';
import { GetOrderV1, type Owner } from '@ttelgo/contracts';
import { BUNDLE, esimInstall, vendorUnitPrice } from './support/esim.double';
import { OrderHarness } from './support/order.harness';

jest.setTimeout(90_000);

const h = new OrderHarness();
const MARKUP_BPS = 1750;

beforeAll(async () => {
  await h.start();
});

afterAll(async () => {
  await h.stop();
});

/** An eSIM the owner holds (the esim double quotes top-ups for it). */
function heldEsim(owner: Owner): ReturnType<typeof esimInstall> {
  const esim = esimInstall();
  h.esim.heldEsims.set(esim.iccid, owner);
  return esim;
}

describe('order: top-ups', () => {
  it('B2C: a TOPUP order AWAITING_PAYMENT with its intent; paid -> esim.apply-bundle.v1 for that eSIM -> COMPLETED; order.completed.v1 says TOPUP', async () => {
    const owner: Owner = { type: 'customer', id: `cust-${randomUUID().slice(0, 8)}` };
    const esim = heldEsim(owner);
    const requestKey = `rk-${randomUUID()}`;
    const placed = await h.placeTopup(owner, esim.iccid, { requestKey });
    expect(placed).toMatchObject({
      status: 'AWAITING_PAYMENT',
      kind: 'TOPUP',
      iccid: esim.iccid,
      bundleName: BUNDLE.name,
      quantity: 1,
      total: { amount: 499, currency: 'USD' },
      payment: { paymentIntentId: expect.any(String), clientSecret: expect.any(String) },
    });
    expect(h.esim.quoteRequests.filter((q) => q.iccid === esim.iccid)).toEqual([{ owner, iccid: esim.iccid, bundleName: BUNDLE.name, markupBps: undefined }]);
    // The same key: the same order. The same key for a new eSIM order, or another eSIM: REQUEST_KEY_REUSED.
    expect((await h.placeTopup(owner, esim.iccid, { requestKey })).id).toBe(placed.id);
    expect(await h.remoteError(h.placeOrder(owner.id, { requestKey, quantity: 1 }))).toMatchObject({ code: 'REQUEST_KEY_REUSED', status: 422 });

    await h.payment.succeeded(placed.id, placed.total);
    await h.waitForStatus(placed.id, 'PROVISIONING');
    const [apply] = await h.waitForMessages('esim.apply-bundle.v1', placed.id, 1);
    expect(apply!.envelope.data).toEqual({ orderId: placed.id, owner, iccid: esim.iccid, bundleName: BUNDLE.name });
    expect(h.messages('esim.provision.v1', placed.id)).toEqual([]);

    await h.esim.provisioned(placed.id, [esim]);
    await h.waitForStatus(placed.id, 'COMPLETED');
    const [completed] = await h.waitForMessages('order.completed.v1', placed.id, 1);
    expect(completed!.envelope.data).toMatchObject({ kind: 'TOPUP', iccid: esim.iccid, quantity: 1, contactEmail: `${owner.id}@example.com`, esims: [esim] });
    expect(await h.call(GetOrderV1, { owner, orderId: placed.id })).toMatchObject({ status: 'COMPLETED', kind: 'TOPUP', iccid: esim.iccid, esims: [{ iccid: esim.iccid }] });
  });

  it('refuses a foreign or unknown eSIM, an unknown bundle and an incompatible one before anything is stored', async () => {
    const owner: Owner = { type: 'customer', id: `cust-${randomUUID().slice(0, 8)}` };
    const esim = heldEsim(owner);
    const other: Owner = { type: 'customer', id: `cust-${randomUUID().slice(0, 8)}` };
    const intentsBefore = h.payment.createCalls.size;
    const refusals = [
      [h.placeTopup(other, esim.iccid), 'ESIM_NOT_FOUND', 404],
      [h.placeTopup(owner, '8944000000000000000'), 'ESIM_NOT_FOUND', 404],
      [h.placeTopup(owner, esim.iccid, { bundleName: 'esim_nope' }), 'BUNDLE_NOT_FOUND', 404],
    ] as const;
    for (const [call, code, status] of refusals) expect(await h.remoteError(call)).toMatchObject({ code, status });
    h.esim.incompatible.add(`${esim.iccid}:${BUNDLE.name}`);
    expect(await h.remoteError(h.placeTopup(owner, esim.iccid))).toMatchObject({ code: 'BUNDLE_NOT_COMPATIBLE', status: 422 });
    const { rows } = await h.pg.query(`SELECT count(*)::int AS n FROM "${h.schema}".orders WHERE iccid = $1`, [esim.iccid]);
    expect(rows[0].n).toBe(0);
    expect(h.payment.createCalls.size).toBe(intentsBefore);
  });

  it('B2B: a TOPUP order PENDING at the vendor price, held, applied, captured; a refusal by eSIM Go releases the hold', async () => {
    const vendorId = h.billing.addVendor({ markupBps: MARKUP_BPS });
    const owner: Owner = { type: 'vendor', id: vendorId };
    const esim = heldEsim(owner);
    const placed = await h.placeTopup(owner, esim.iccid, { customerReference: 'topup-7' });
    const unit = vendorUnitPrice(MARKUP_BPS);
    expect(placed).toMatchObject({ status: 'PENDING', kind: 'TOPUP', iccid: esim.iccid, total: { amount: unit, currency: 'USD' }, customerReference: 'topup-7' });
    expect(h.esim.quoteRequests.find((q) => q.iccid === esim.iccid)).toMatchObject({ markupBps: MARKUP_BPS });
    await h.waitForMessages('billing.reserve-funds.v1', placed.id, 1);
    await h.billing.reserved(placed.id, vendorId, placed.total);
    await h.waitForMessages('esim.apply-bundle.v1', placed.id, 1);
    await h.esim.provisioned(placed.id, [esim]);
    await h.waitForStatus(placed.id, 'COMPLETED');
    await h.waitForMessages('billing.capture-funds.v1', placed.id, 1);

    const failing = await h.placeTopup(owner, esim.iccid);
    await h.billing.reserved(failing.id, vendorId, failing.total);
    await h.waitForMessages('esim.apply-bundle.v1', failing.id, 1);
    await h.esim.provisioningFailed(failing.id, 'BUNDLE_NOT_COMPATIBLE', 'Bundle is not compatible with eSIM');
    await h.waitForStatus(failing.id, 'FAILED');
    const [release] = await h.waitForMessages('billing.release-funds.v1', failing.id, 1);
    expect(release!.envelope.data).toMatchObject({ orderId: failing.id });
    const [failed] = await h.waitForMessages('order.failed.v1', failing.id, 1);
    expect(failed!.envelope.data).toMatchObject({ kind: 'TOPUP', iccid: esim.iccid });
  });
});
