import { decideUsageSync, isUsageFinished, pacingDelayMs, usageSyncCutoff, type UsageSyncFacts } from './usage-sync';

const now = new Date('2026-12-10T12:00:00Z');
const HOUR = 3_600_000;
const STALE_AFTER = 20 * HOUR;
const esim = (over: Partial<UsageSyncFacts> = {}): UsageSyncFacts => ({
  state: 'ACTIVE',
  usageSyncedAt: new Date(now.getTime() - 21 * HOUR),
  endsAt: new Date(now.getTime() + 48 * HOUR),
  endsAtReported: true,
  ...over,
});

describe('decideUsageSync', () => {
  it('pulls usage older than the threshold, and usage never synced', () => {
    expect(decideUsageSync(esim(), now, STALE_AFTER)).toBe('PULL');
    expect(decideUsageSync(esim({ usageSyncedAt: null, state: 'QUEUED', endsAtReported: false }), now, STALE_AFTER)).toBe('PULL');
  });

  it('leaves fresh usage alone (the threshold itself is still fresh)', () => {
    expect(decideUsageSync(esim({ usageSyncedAt: new Date(now.getTime() - HOUR) }), now, STALE_AFTER)).toBe('FRESH');
    expect(decideUsageSync(esim({ usageSyncedAt: new Date(now.getTime() - STALE_AFTER) }), now, STALE_AFTER)).toBe('FRESH');
  });

  it('expires an eSIM whose reported end has passed, without a call, however fresh its usage', () => {
    expect(decideUsageSync(esim({ endsAt: new Date(now.getTime() - 1) }), now, STALE_AFTER)).toBe('EXPIRE');
    expect(decideUsageSync(esim({ endsAt: now, state: 'DEPLETED', usageSyncedAt: new Date(now.getTime() - HOUR) }), now, STALE_AFTER)).toBe('EXPIRE');
  });

  it('does not trust an estimated end (the bundle starts at first use): pulls when stale, else waits', () => {
    const estimatedPast = { endsAt: new Date(now.getTime() - HOUR), endsAtReported: false, state: 'QUEUED' as const };
    expect(decideUsageSync(esim(estimatedPast), now, STALE_AFTER)).toBe('PULL');
    expect(decideUsageSync(esim({ ...estimatedPast, usageSyncedAt: new Date(now.getTime() - HOUR) }), now, STALE_AFTER)).toBe('FRESH');
  });

  it('never touches a finished bundle again', () => {
    for (const usageState of ['Expired', 'Revoked', 'Lapsed']) expect(isUsageFinished(usageState)).toBe(true);
    for (const state of ['EXPIRED', 'REVOKED'] as const) {
      expect(decideUsageSync(esim({ state, usageSyncedAt: null, endsAt: new Date(0) }), now, STALE_AFTER)).toBe('FINISHED');
    }
    expect(isUsageFinished('Depleted')).toBe(false);
    expect(isUsageFinished('UNKNOWN')).toBe(false);
  });
});

describe('usageSyncCutoff / pacingDelayMs', () => {
  it('puts the cutoff the threshold before now', () => {
    expect(usageSyncCutoff(now, STALE_AFTER).toISOString()).toBe('2026-12-09T16:00:00.000Z');
  });

  it('spaces calls 1/callsPerSecond apart, never negative', () => {
    expect(pacingDelayMs(undefined, 1000, 5)).toBe(0);
    expect(pacingDelayMs(1000, 1000, 5)).toBe(200);
    expect(pacingDelayMs(1000, 1150, 5)).toBe(50);
    expect(pacingDelayMs(1000, 5000, 5)).toBe(0);
    expect(pacingDelayMs(0, 0, 3)).toBe(334);
  });
});
