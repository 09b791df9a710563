import { bundleForAssignment, currentBundle, esimStateOf, pairAssignments, publicBundleState, type BundleFacts } from './esim-bundle';

const at = (iso: string) => new Date(iso);
const bundle = (over: Partial<BundleFacts> = {}): BundleFacts => ({
  id: 'b1',
  bundleName: 'esim_1GB_7D_FR_V2',
  state: 'ACTIVE',
  assignedAt: at('2026-12-01T10:00:00Z'),
  providerReference: 'ref-1',
  assignmentId: null,
  ...over,
});

describe('publicBundleState / esimStateOf', () => {
  it("reads eSIM Go's bundle states as the five public ones", () => {
    expect(['Processing', 'Queued', 'UNKNOWN', 'Something new'].map(publicBundleState)).toEqual(['QUEUED', 'QUEUED', 'QUEUED', 'QUEUED']);
    expect(['Active', 'Depleted', 'Expired', 'Lapsed', 'Revoked'].map(publicBundleState)).toEqual(['ACTIVE', 'DEPLETED', 'EXPIRED', 'EXPIRED', 'REVOKED']);
  });

  it('gives the eSIM the state of its liveliest bundle', () => {
    expect(esimStateOf(['DEPLETED', 'QUEUED'])).toBe('QUEUED');
    expect(esimStateOf(['EXPIRED', 'ACTIVE', 'QUEUED'])).toBe('ACTIVE');
    expect(esimStateOf(['REVOKED', 'EXPIRED'])).toBe('EXPIRED');
    expect(esimStateOf(['REVOKED'])).toBe('REVOKED');
    expect(esimStateOf([])).toBe('QUEUED');
  });
});

describe('currentBundle', () => {
  it('is the active bundle, else the oldest queued one, else the last one', () => {
    const first = bundle({ id: 'first', state: 'DEPLETED' });
    const topup = bundle({ id: 'topup', state: 'QUEUED', assignedAt: at('2026-12-02T10:00:00Z') });
    const later = bundle({ id: 'later', state: 'QUEUED', assignedAt: at('2026-12-03T10:00:00Z') });
    expect(currentBundle([later, first, topup])?.id).toBe('topup');
    expect(currentBundle([first, { ...topup, state: 'ACTIVE' }, later])?.id).toBe('topup');
    expect(currentBundle([first, { ...topup, state: 'EXPIRED' }])?.id).toBe('topup');
    expect(currentBundle([])).toBeUndefined();
  });
});

describe('bundleForAssignment', () => {
  const first = bundle({ id: 'first', providerReference: 'ref-1', state: 'DEPLETED' });
  const topup = bundle({ id: 'topup', providerReference: 'ref-2', state: 'QUEUED', assignedAt: at('2026-12-02T10:00:00Z') });

  it('finds the bundle by the reference of the eSIM Go order that bought it, whatever the states', () => {
    expect(bundleForAssignment([first, topup], { bundleName: first.bundleName, reference: 'ref-1', assignmentId: '9' })?.id).toBe('first');
    expect(bundleForAssignment([first, topup], { bundleName: first.bundleName, reference: 'ref-2', assignmentId: null })?.id).toBe('topup');
  });

  it('else by a known assignment id, else the oldest unfinished bundle of that name not tied to another id', () => {
    const known = { ...first, state: 'ACTIVE' as const, assignmentId: '41' };
    expect(bundleForAssignment([known, topup], { bundleName: first.bundleName, reference: 'other', assignmentId: '41' })?.id).toBe('first');
    expect(bundleForAssignment([known, topup], { bundleName: first.bundleName, reference: null, assignmentId: '42' })?.id).toBe('topup');
    expect(bundleForAssignment([first, topup], { bundleName: first.bundleName, reference: null, assignmentId: null })?.id).toBe('first');
  });

  it('finds nothing for a bundle name we did not sell, or when only finished bundles are left', () => {
    expect(bundleForAssignment([first, topup], { bundleName: 'esim_other', reference: 'ref-1', assignmentId: null })).toBeUndefined();
    const ended = [{ ...first, state: 'EXPIRED' as const, providerReference: 'x' }];
    expect(bundleForAssignment(ended, { bundleName: first.bundleName, reference: 'y', assignmentId: null })).toBeUndefined();
  });
});

describe('pairAssignments', () => {
  it('pairs exact references first, then the rest by name', () => {
    const first = bundle({ id: 'first', providerReference: 'ref-1', state: 'ACTIVE' });
    const topup = bundle({ id: 'topup', providerReference: 'ref-2', state: 'QUEUED', assignedAt: at('2026-12-02T10:00:00Z') });
    const a2 = { bundleName: first.bundleName, reference: 'ref-2', assignmentId: '2' };
    const unknown = { bundleName: first.bundleName, reference: 'ref-x', assignmentId: '1' };
    const pairs = pairAssignments([first, topup], [unknown, a2]);
    expect(pairs.get('topup')).toBe(a2);
    expect(pairs.get('first')).toBe(unknown);
    expect(pairAssignments([first], [{ bundleName: 'other', reference: null, assignmentId: null }]).size).toBe(0);
  });
});
