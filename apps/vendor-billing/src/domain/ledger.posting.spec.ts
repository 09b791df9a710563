import { adjustmentPosting, balanceEffect, buildPosting, isPaymentOf, orderChargePosting, paymentPosting, topupPosting, UnbalancedPostingError, type Posting } from './ledger.posting';

const base: Posting = {
  kind: 'ADJUSTMENT',
  vendorId: 'v',
  orderId: null,
  topupId: null,
  idempotencyKey: 'k',
  description: 'd',
  currency: 'USD',
  lines: [
    { accountId: 'a', direction: 'debit', amount: 100 },
    { accountId: 'b', direction: 'credit', amount: 100 },
  ],
};

describe('buildPosting', () => {
  it('accepts a balanced posting', () => {
    expect(buildPosting(base).lines).toHaveLength(2);
  });

  it.each([
    ['unbalanced', [{ accountId: 'a', direction: 'debit', amount: 100 }, { accountId: 'b', direction: 'credit', amount: 99 }]],
    ['a zero amount', [{ accountId: 'a', direction: 'debit', amount: 0 }, { accountId: 'b', direction: 'credit', amount: 0 }]],
    ['a negative amount', [{ accountId: 'a', direction: 'debit', amount: -5 }, { accountId: 'b', direction: 'credit', amount: -5 }]],
    ['a fraction', [{ accountId: 'a', direction: 'debit', amount: 1.5 }, { accountId: 'b', direction: 'credit', amount: 1.5 }]],
    ['a single entry', [{ accountId: 'a', direction: 'debit', amount: 100 }]],
  ] as const)('refuses %s', (_name, lines) => {
    expect(() => buildPosting({ ...base, lines: lines.map((l) => ({ ...l })) })).toThrow(UnbalancedPostingError);
  });

  it('refuses a bad currency', () => {
    expect(() => buildPosting({ ...base, currency: 'usd' })).toThrow(UnbalancedPostingError);
  });
});

describe('postings of the business facts', () => {
  it('puts the vendor line first and balances', () => {
    const c = { vendorId: 'v', vendorAccountId: 'va', currency: 'USD' };
    expect(topupPosting({ ...c, clearingAccountId: 'sc', topupId: 't', amount: 500 }).lines).toEqual([
      { accountId: 'va', direction: 'credit', amount: 500 },
      { accountId: 'sc', direction: 'debit', amount: 500 },
    ]);
    expect(orderChargePosting({ ...c, revenueAccountId: 'rev', orderId: 'o', amount: 300 }).lines[0]).toEqual({ accountId: 'va', direction: 'debit', amount: 300 });
    const minus = adjustmentPosting({ ...c, adjustmentsAccountId: 'adj', requestKey: 'r', amount: -250, reason: 'x', actor: 'y' });
    expect(minus.lines).toEqual([
      { accountId: 'va', direction: 'debit', amount: 250 },
      { accountId: 'adj', direction: 'credit', amount: 250 },
    ]);
    expect(minus.idempotencyKey).toBe('adjustment:v:r');
  });

  it('moves a normal-side balance up on its own side and down on the other', () => {
    expect(balanceEffect('credit', 'credit', 7)).toBe(7);
    expect(balanceEffect('debit', 'credit', 7)).toBe(-7);
  });
});

describe('paymentPosting', () => {
  const payment = (reference: string) =>
    paymentPosting({ vendorId: 'v', vendorAccountId: 'r', clearingAccountId: 'bank', currency: 'USD', requestKey: 'k1', reference, actor: 'admin:1', amount: 250 });

  it('credits the receivable and debits the clearing account, keyed on (vendor, requestKey)', () => {
    const p = payment('TRF 1');
    expect(p).toMatchObject({ kind: 'PAYMENT', idempotencyKey: 'payment:v:k1', description: 'payment "TRF 1" recorded by admin:1' });
    expect(p.lines).toEqual([
      { accountId: 'r', direction: 'credit', amount: 250 },
      { accountId: 'bank', direction: 'debit', amount: 250 },
    ]);
  });

  it('tells the stored reference exactly, even when one reference starts with another', () => {
    const stored = payment('TRF 1" recorded by x').description;
    expect(isPaymentOf(stored, 'TRF 1" recorded by x')).toBe(true);
    expect(isPaymentOf(stored, 'TRF 1')).toBe(false);
    expect(isPaymentOf(payment('TRF 1').description, 'TRF 1')).toBe(true);
    expect(isPaymentOf(payment('TRF 12').description, 'TRF 1')).toBe(false);
  });
});
