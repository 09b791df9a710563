import { actionFor, planRevocation, revocationOutcome, type RevocationCandidate } from './bundle-revocation';

const GB = 1_000_000_000;
const candidate = (id: string, assignment: RevocationCandidate['assignment'], revokedByUs = false): RevocationCandidate => ({
  bundleId: id,
  iccid: '8944000000000000001',
  bundleName: 'esim_1GB_7D_IM_U',
  revokedByUs,
  assignment,
});
const queued = { assignmentId: '1', state: 'Queued', initialBytes: GB, remainingBytes: GB };
const active = { assignmentId: '2', state: 'Active', initialBytes: GB, remainingBytes: GB / 2 };

describe('bundle revocation on refund', () => {
  it('revokes an unused bundle with a refund to the balance; a used one only when forced, without a refund', () => {
    expect(actionFor(candidate('a', queued), false)).toEqual({ kind: 'REVOKE', refundToBalance: true, assignmentId: '1', usedResult: false });
    expect(actionFor(candidate('b', active), false)).toMatchObject({ kind: 'NONE', result: 'USED' });
    expect(actionFor(candidate('b', active), true)).toEqual({ kind: 'REVOKE', refundToBalance: false, assignmentId: '2', usedResult: true });
    // Queued but with data used (eSIM Go's figures moved first): used.
    expect(actionFor(candidate('c', { ...queued, remainingBytes: GB - 1 }), false)).toMatchObject({ kind: 'NONE', result: 'USED' });
  });

  it('never revokes twice: ours REVOKED or eSIM Go says Revoked; ended bundles and missing assignments are not called', () => {
    expect(actionFor(candidate('a', null, true), false)).toMatchObject({ kind: 'NONE', result: 'REVOKED' });
    expect(actionFor(candidate('a', { ...queued, state: 'Revoked' }), false)).toMatchObject({ kind: 'NONE', result: 'REVOKED' });
    expect(actionFor(candidate('a', { ...queued, state: 'Expired' }), true)).toMatchObject({ kind: 'NONE', result: 'USED' });
    expect(actionFor(candidate('a', null), true)).toMatchObject({ kind: 'NONE', result: 'FAILED' });
  });

  it('without force a refund is all or nothing: one used (or failed) bundle keeps the unused ones too', () => {
    const plan = planRevocation([candidate('a', queued), candidate('b', active)], false);
    expect(plan.blockedBy).toBe('ALREADY_USED');
    expect(plan.actions.get('a')).toMatchObject({ kind: 'NONE', result: 'KEPT' });
    expect(planRevocation([candidate('a', queued), candidate('b', null)], false).blockedBy).toBe('FAILED');
    const forced = planRevocation([candidate('a', queued), candidate('b', active)], true);
    expect(forced.blockedBy).toBeNull();
    expect([...forced.actions.values()].map((a) => a.kind)).toEqual(['REVOKE', 'REVOKE']);
  });

  it('the outcome: FAILED over ALREADY_USED over REVOKED; nothing to revoke is FAILED', () => {
    expect(revocationOutcome(['REVOKED', 'REVOKED'])).toBe('REVOKED');
    expect(revocationOutcome(['REVOKED', 'USED'])).toBe('ALREADY_USED');
    expect(revocationOutcome(['KEPT', 'USED'])).toBe('ALREADY_USED');
    expect(revocationOutcome(['USED', 'FAILED'])).toBe('FAILED');
    expect(revocationOutcome([])).toBe('FAILED');
  });
});
