import { decideBundleNotices, parseUsageThresholds, usedPercent, type BundleNoticeFacts } from './bundle-notices';

const GB = 1_000_000_000;
const now = new Date('2026-12-08T10:00:00.000Z');
const hours = (h: number) => new Date(now.getTime() + h * 3_600_000);
const active = (remainingBytes: number, extra: Partial<BundleNoticeFacts> = {}): BundleNoticeFacts => ({
  state: 'ACTIVE',
  initialBytes: GB,
  remainingBytes,
  unlimited: false,
  endsAt: hours(24 * 20),
  endsAtReported: true,
  ...extra,
});
const keys = (d: { send: Array<{ key: string }>; passed: Array<{ key: string }> }) => ({ send: d.send.map((n) => n.key), passed: d.passed.map((n) => n.key) });

describe('bundle notices', () => {
  it('tells each threshold once, when it is crossed', () => {
    expect(keys(decideBundleNotices(active(0.5 * GB), new Set(), now))).toEqual({ send: [], passed: [] });
    expect(keys(decideBundleNotices(active(0.2 * GB), new Set(), now))).toEqual({ send: ['USAGE_80'], passed: [] });
    expect(keys(decideBundleNotices(active(0.1 * GB), new Set(['USAGE_80']), now))).toEqual({ send: [], passed: [] });
    expect(keys(decideBundleNotices(active(0, { state: 'DEPLETED' }), new Set(['USAGE_80']), now))).toEqual({ send: ['USAGE_100'], passed: [] });
    expect(keys(decideBundleNotices(active(0, { state: 'DEPLETED' }), new Set(['USAGE_80', 'USAGE_100']), now))).toEqual({ send: [], passed: [] });
  });

  it('tells only the highest of several thresholds crossed at once, and records the others as passed', () => {
    expect(keys(decideBundleNotices(active(0, { state: 'DEPLETED' }), new Set(), now))).toEqual({ send: ['USAGE_100'], passed: ['USAGE_80'] });
    expect(keys(decideBundleNotices(active(0.05 * GB), new Set(), now, [50, 80, 90]))).toEqual({ send: ['USAGE_90'], passed: ['USAGE_50', 'USAGE_80'] });
  });

  it('needs figures: none for unlimited bundles or before eSIM Go reported any; depleted is 100 %', () => {
    expect(usedPercent({ state: 'ACTIVE', initialBytes: null, remainingBytes: null, unlimited: false })).toBeNull();
    expect(usedPercent({ state: 'ACTIVE', initialBytes: GB, remainingBytes: 0, unlimited: true })).toBeNull();
    expect(usedPercent({ state: 'DEPLETED', initialBytes: null, remainingBytes: null, unlimited: false })).toBe(100);
    expect(usedPercent({ state: 'ACTIVE', initialBytes: 3, remainingBytes: 1, unlimited: false })).toBe(66);
    expect(keys(decideBundleNotices(active(0, { unlimited: true }), new Set(), now))).toEqual({ send: [], passed: [] });
  });

  it('warns once when a reported end is within 24 hours, not for an estimated one, nor for a bundle with no data left', () => {
    expect(keys(decideBundleNotices(active(GB, { endsAt: hours(23) }), new Set(), now))).toEqual({ send: ['EXPIRING'], passed: [] });
    expect(keys(decideBundleNotices(active(GB, { endsAt: hours(24) }), new Set(), now))).toEqual({ send: ['EXPIRING'], passed: [] });
    expect(keys(decideBundleNotices(active(GB, { endsAt: hours(25) }), new Set(), now))).toEqual({ send: [], passed: [] });
    expect(keys(decideBundleNotices(active(GB, { endsAt: hours(23) }), new Set(['EXPIRING']), now))).toEqual({ send: [], passed: [] });
    expect(keys(decideBundleNotices(active(GB, { endsAt: hours(23), endsAtReported: false }), new Set(), now))).toEqual({ send: [], passed: [] });
    expect(keys(decideBundleNotices(active(0, { state: 'DEPLETED', endsAt: hours(2) }), new Set(['USAGE_80', 'USAGE_100']), now))).toEqual({ send: [], passed: [] });
    expect(keys(decideBundleNotices(active(GB, { endsAt: hours(-1) }), new Set(), now))).toEqual({ send: [], passed: [] });
  });

  it('tells EXPIRED once and nothing else about a finished bundle; a revoked one gets nothing', () => {
    expect(keys(decideBundleNotices(active(0.1 * GB, { state: 'EXPIRED', endsAt: hours(-1) }), new Set(), now))).toEqual({ send: ['EXPIRED'], passed: [] });
    expect(keys(decideBundleNotices(active(0.1 * GB, { state: 'EXPIRED' }), new Set(['EXPIRED']), now))).toEqual({ send: [], passed: [] });
    expect(keys(decideBundleNotices(active(0, { state: 'REVOKED', endsAt: hours(2) }), new Set(), now))).toEqual({ send: [], passed: [] });
  });

  it('parses USAGE_NOTICE_THRESHOLDS', () => {
    expect(parseUsageThresholds('80,100')).toEqual([80, 100]);
    expect(parseUsageThresholds(' 100 ,50, 50')).toEqual([50, 100]);
    expect(() => parseUsageThresholds('')).toThrow(/at least one/);
    expect(() => parseUsageThresholds('0')).toThrow(/between 1 and 100/);
    expect(() => parseUsageThresholds('80.5')).toThrow(/whole percentage/);
  });
});
