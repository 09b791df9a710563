/**
 * Provisioning stops buying while eSIM Go refuses our credentials or configuration (a 403 that is not about the
 * account): every order would be refused the same way, and an operator has to act (key, IP allow-list). While
 * paused, provision attempts are deferred without calling eSIM Go; when the pause ends, the next attempt probes
 * again and pauses once more if still refused. Per replica, in memory: each replica finds out on its own, at the
 * cost of one refused request. `onChange` drives the alert (a gauge) and the log.
 */
export interface ProvisioningPauseOptions {
  pauseMs: number;
  now?: () => number;
  onChange?: (paused: boolean, reason: string | null) => void;
}

export class ProvisioningPause {
  private until = 0;
  private reason: string | null = null;
  private readonly now: () => number;

  constructor(private readonly opts: ProvisioningPauseOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Why provisioning is paused, or null when it is not (an expired pause is reported as ended). */
  active(): string | null {
    if (this.reason !== null && this.now() >= this.until) {
      this.reason = null;
      this.opts.onChange?.(false, null);
    }
    return this.reason;
  }

  pause(reason: string): void {
    const wasPaused = this.active() !== null;
    this.until = this.now() + this.opts.pauseMs;
    this.reason = reason;
    if (!wasPaused) this.opts.onChange?.(true, reason);
  }
}
