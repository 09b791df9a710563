import { availableBalance, canApply, exposure, vendorBalance } from './balance.rules';
import { lowBalanceDecision, lowBalanceTarget } from './low-balance';
import { buildStatement, monthRange } from './statement';

describe('balance rules', () => {
  it('PREPAID: available = balance - reserved', () => {
    const wallet = { kind: 'wallet' as const, balance: 1_000, reserved: 300, creditLimit: null };
    expect([vendorBalance(wallet), availableBalance(wallet), exposure(wallet)]).toEqual([1_000, 700, 0]);
    expect(canApply(wallet, -700)).toBe(true);
    expect(canApply(wallet, -701)).toBe(false);
  });

  it('POSTPAID: the vendor balance is minus what is owed, available adds the credit limit; never -0', () => {
    const receivable = { kind: 'receivable' as const, balance: 400, reserved: 100, creditLimit: 1_000 };
    expect([vendorBalance(receivable), availableBalance(receivable), exposure(receivable)]).toEqual([-400, 500, 500]);
    expect(Object.is(vendorBalance({ ...receivable, balance: 0 }), 0)).toBe(true);
  });
});

describe('low balance', () => {
  it('fires once per crossing and re-arms at or above the threshold', () => {
    expect(lowBalanceDecision({ threshold: 100, alerted: false, available: 99 })).toBe('alert');
    expect(lowBalanceDecision({ threshold: 100, alerted: true, available: 50 })).toBe('none');
    expect(lowBalanceDecision({ threshold: 100, alerted: true, available: 100 })).toBe('rearm');
    expect(lowBalanceDecision({ threshold: 100, alerted: false, available: 100 })).toBe('none');
    expect(lowBalanceDecision({ threshold: 0, alerted: true, available: -5 })).toBe('rearm');
    expect(lowBalanceTarget(0, -5)).toBe('armed');
    expect(lowBalanceTarget(10, 9)).toBe('alerted');
  });
});

describe('statements', () => {
  it('closing = opening + charges - payments - adjustments, in owed terms', () => {
    expect(buildStatement(3_500, { ORDER_CHARGE: 1_500, PAYMENT: -3_500, ADJUSTMENT: 200 })).toEqual({
      openingBalance: 3_500,
      charges: 1_500,
      payments: 3_500,
      adjustments: -200,
      closingBalance: 1_700,
    });
    const empty = buildStatement(0, {});
    expect(Object.is(empty.payments, 0) && Object.is(empty.adjustments, 0)).toBe(true);
  });

  it('months are UTC calendar months', () => {
    expect(monthRange('2026-12')).toEqual({ start: new Date('2026-12-01T00:00:00Z'), end: new Date('2027-01-01T00:00:00Z') });
    expect(() => monthRange('2026-13')).toThrow();
  });
});
