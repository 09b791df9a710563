import { nextCheckDelayMs, nextStep, sameRequest, type ProviderOrder } from './provider-order';

const base: ProviderOrder = {
  orderId: '0b6a3c58-6d1c-4b43-9a55-0f4a7c1f1a11',
  owner: { type: 'customer', id: 'c1' },
  bundleName: 'esim_1GB_7D_IM_U',
  kind: 'NEW',
  iccid: null,
  quantity: 1,
  state: 'REQUESTED',
  attempts: 0,
  providerReference: null,
  failureCode: null,
  failureReason: null,
  correlationId: null,
  requestedAt: new Date('2026-11-28T10:00:00Z'),
  lastAttemptAt: null,
  completedAt: null,
};

describe('provider order: what may happen next', () => {
  it('buys only when no POST can have reached eSIM Go', () => {
    expect(nextStep(base)).toEqual({ kind: 'buy' });
  });

  it('reconciles an unknown outcome, and any earlier attempt (a 5xx may still have bought)', () => {
    expect(nextStep({ ...base, state: 'UNKNOWN', attempts: 1 })).toEqual({ kind: 'reconcile' });
    expect(nextStep({ ...base, state: 'UNKNOWN', attempts: 0 })).toEqual({ kind: 'reconcile' });
    expect(nextStep({ ...base, attempts: 2 })).toEqual({ kind: 'reconcile' });
  });

  it('never buys once an eSIM Go order is known: it only fetches the install data', () => {
    expect(nextStep({ ...base, attempts: 1, providerReference: 'ref-1' })).toEqual({ kind: 'fetch-install-data', providerReference: 'ref-1' });
    expect(nextStep({ ...base, state: 'UNKNOWN', attempts: 3, providerReference: 'ref-1' })).toEqual({
      kind: 'fetch-install-data',
      providerReference: 'ref-1',
    });
  });

  it('does nothing more for finished orders', () => {
    expect(nextStep({ ...base, state: 'COMPLETED', attempts: 1, providerReference: 'ref-1' })).toEqual({ kind: 'completed' });
    expect(nextStep({ ...base, state: 'FAILED', attempts: 1 })).toEqual({ kind: 'failed' });
  });

  it('tells a repeated command from a conflicting one', () => {
    expect(sameRequest(base, { ...base })).toBe(true);
    expect(sameRequest(base, { ...base, quantity: 2 })).toBe(false);
    expect(sameRequest(base, { ...base, bundleName: 'esim_1GB_7D_FR_V2' })).toBe(false);
    expect(sameRequest(base, { ...base, owner: { type: 'vendor', id: 'c1' } })).toBe(false);
    expect(sameRequest(base, { ...base, owner: { type: 'customer', id: 'c2' } })).toBe(false);
    // A top-up of an eSIM is another request than a purchase of the same bundle, and than a top-up of another eSIM.
    const topup = { ...base, kind: 'TOPUP' as const, iccid: '8944530000000000001' };
    expect(sameRequest(base, topup)).toBe(false);
    expect(sameRequest(topup, { ...topup })).toBe(true);
    expect(sameRequest(topup, { ...topup, iccid: '8944530000000000002' })).toBe(false);
  });

  it('checks unfinished orders again after a minute, backing off to 30 minutes', () => {
    expect(nextCheckDelayMs(0)).toBe(60_000);
    expect(nextCheckDelayMs(1)).toBe(60_000);
    expect(nextCheckDelayMs(2)).toBe(120_000);
    expect(nextCheckDelayMs(4)).toBe(480_000);
    expect(nextCheckDelayMs(50)).toBe(30 * 60_000);
  });
});
