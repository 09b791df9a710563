/**
 * What happens after a failed delivery attempt. A schedule of N delays allows N + 1 attempts: attempt k (1-based)
 * that fails transiently is retried after delays[k - 1]; the attempt after the last delay is the last one.
 * A permanent failure (the server refused the message or recipient for good) is not retried: resending the very
 * same mail cannot succeed.
 */
export type FailureDecision = { outcome: 'RETRY'; nextAttemptAt: Date } | { outcome: 'FAILED' };

export function decideAfterFailure(opts: { attemptNo: number; delaysMs: readonly number[]; permanent: boolean; now: Date }): FailureDecision {
  if (opts.permanent) return { outcome: 'FAILED' };
  const delay = opts.delaysMs[opts.attemptNo - 1];
  if (delay === undefined) return { outcome: 'FAILED' };
  return { outcome: 'RETRY', nextAttemptAt: new Date(opts.now.getTime() + delay) };
}

export function maxAttempts(delaysMs: readonly number[]): number {
  return delaysMs.length + 1;
}

/** The facts of an SMTP failure we classify on (nodemailer's error fields, without depending on nodemailer). */
export interface SmtpFailureFacts {
  /** nodemailer error code: ECONNECTION, ETIMEDOUT, EENVELOPE, EMESSAGE, EAUTH, ... */
  code?: string | undefined;
  /** The SMTP reply code when the server answered. */
  responseCode?: number | undefined;
}

/**
 * 5xx replies to the envelope or the message are permanent (RFC 5321 §4.2.1): unknown mailbox, message rejected.
 * Everything else is retried: no connection, timeouts, 4xx (greylisting, try later) and authentication
 * problems, which are our configuration and get fixed by an operator while the retries wait.
 */
export function isPermanentSmtpFailure(facts: SmtpFailureFacts): boolean {
  if (facts.code === 'EAUTH') return false;
  return facts.responseCode !== undefined && facts.responseCode >= 500 && facts.responseCode < 600;
}
