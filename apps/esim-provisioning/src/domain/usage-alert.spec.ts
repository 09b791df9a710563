import { decideUsageAlert, type StoredUsageFacts, type UsageAlertFacts } from './usage-alert';

const GB = 1_000_000_000;
const at = (iso: string) => new Date(iso);
const stored = (over: Partial<StoredUsageFacts> = {}): StoredUsageFacts => ({
  bundleName: 'esim_1GB_7D_IM_U',
  initialBytes: GB,
  remainingBytes: 600_000_000,
  usageState: 'Active',
  state: 'ACTIVE',
  usageSyncedAt: at('2026-12-10T10:00:00Z'),
  ...over,
});
const alert = (over: Partial<UsageAlertFacts> = {}): UsageAlertFacts => ({
  bundleName: 'esim_1GB_7D_IM_U',
  initialBytes: GB,
  remainingBytes: 200_000_000,
  state: 'Active',
  alertedAt: at('2026-12-10T10:05:00Z'),
  ...over,
});

describe('decideUsageAlert', () => {
  it('applies a newer alert that reports less remaining data', () => {
    expect(decideUsageAlert(stored(), alert())).toEqual({ apply: true });
  });

  it('applies the first alert of an eSIM never synced', () => {
    expect(decideUsageAlert(stored({ initialBytes: null, remainingBytes: null, usageState: 'UNKNOWN', usageSyncedAt: null }), alert())).toEqual({ apply: true });
  });

  it('refuses an alert that is not newer than the stored observation (equal time included)', () => {
    expect(decideUsageAlert(stored(), alert({ alertedAt: at('2026-12-10T09:59:59Z') }))).toEqual({ apply: false, reason: 'NOT_NEWER' });
    expect(decideUsageAlert(stored(), alert({ alertedAt: at('2026-12-10T10:00:00Z') }))).toEqual({ apply: false, reason: 'NOT_NEWER' });
  });

  it('refuses a later-received alert that reports more remaining data on the same bundle (usage never goes back)', () => {
    expect(decideUsageAlert(stored(), alert({ remainingBytes: 900_000_000 }))).toEqual({ apply: false, reason: 'USAGE_WOULD_GO_BACK' });
  });

  it('refuses an alert identical to what is stored, and one about another bundle', () => {
    expect(decideUsageAlert(stored(), alert({ remainingBytes: 600_000_000 }))).toEqual({ apply: false, reason: 'UNCHANGED' });
    expect(decideUsageAlert(stored(), alert({ bundleName: 'esim_3GB_30D_IM_U' }))).toEqual({ apply: false, reason: 'OTHER_BUNDLE' });
  });

  it('applies the Depleted state at zero remaining', () => {
    expect(decideUsageAlert(stored(), alert({ remainingBytes: 0, state: 'Depleted' }))).toEqual({ apply: true });
  });

  it('refuses any alert once the bundle is finished (a late alert stamped on receipt must not revive it)', () => {
    for (const usageState of ['Expired', 'Revoked', 'Lapsed']) {
      expect(decideUsageAlert(stored({ usageState }), alert({ alertedAt: at('2026-12-11T10:00:00Z') }))).toEqual({ apply: false, reason: 'FINISHED' });
    }
  });
});
