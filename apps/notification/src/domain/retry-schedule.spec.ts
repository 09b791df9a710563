import { decideAfterFailure, isPermanentSmtpFailure, maxAttempts } from './retry-schedule';

const delays = [10_000, 60_000, 300_000];
const now = new Date('2026-11-28T10:00:00.000Z');

describe('decideAfterFailure', () => {
  it('schedules attempt k+1 after delays[k-1]', () => {
    expect(decideAfterFailure({ attemptNo: 1, delaysMs: delays, permanent: false, now })).toEqual({ outcome: 'RETRY', nextAttemptAt: new Date('2026-11-28T10:00:10.000Z') });
    expect(decideAfterFailure({ attemptNo: 3, delaysMs: delays, permanent: false, now })).toEqual({ outcome: 'RETRY', nextAttemptAt: new Date('2026-11-28T10:05:00.000Z') });
  });

  it('gives up after the attempt that follows the last delay', () => {
    expect(maxAttempts(delays)).toBe(4);
    expect(decideAfterFailure({ attemptNo: 4, delaysMs: delays, permanent: false, now })).toEqual({ outcome: 'FAILED' });
    expect(decideAfterFailure({ attemptNo: 1, delaysMs: [], permanent: false, now })).toEqual({ outcome: 'FAILED' });
  });

  it('never retries a permanent failure', () => {
    expect(decideAfterFailure({ attemptNo: 1, delaysMs: delays, permanent: true, now })).toEqual({ outcome: 'FAILED' });
  });
});

describe('isPermanentSmtpFailure', () => {
  it('treats 5xx replies as permanent', () => {
    expect(isPermanentSmtpFailure({ code: 'EENVELOPE', responseCode: 550 })).toBe(true);
    expect(isPermanentSmtpFailure({ code: 'EMESSAGE', responseCode: 554 })).toBe(true);
  });

  it('retries 4xx replies, connection problems and our own authentication problems', () => {
    expect(isPermanentSmtpFailure({ code: 'EENVELOPE', responseCode: 451 })).toBe(false);
    expect(isPermanentSmtpFailure({ code: 'ESOCKET' })).toBe(false);
    expect(isPermanentSmtpFailure({ code: 'ETIMEDOUT' })).toBe(false);
    expect(isPermanentSmtpFailure({ code: 'EAUTH', responseCode: 535 })).toBe(false);
    expect(isPermanentSmtpFailure({})).toBe(false);
  });
});
