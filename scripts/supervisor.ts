/**
 * Keeps the platform's processes running the way an orchestrator does (compose's `restart: unless-stopped`, a
 * Kubernetes Deployment): a process that dies after it was ready is started again after a backoff that doubles
 * with each recent crash, and the console says so loudly. Only a process that keeps crashing (`maxCrashes` within
 * `windowMs`) makes the supervisor give up, and then the caller stops the platform. `failFast` gives up at the first
 * crash instead (development: the platform stops and the crash stays on screen).
 *
 * A process that fails before it was first ready is a start-up failure: start() rejects and nothing is restarted
 * (a wrong configuration does not get better by retrying). Used by scripts/platform.ts (`npm start`, the
 * benchmarks, the drills).
 */
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';

export interface RestartPolicy {
  /** First restart delay; doubled for each further crash within the window. Default 1000 ms. */
  backoffBaseMs: number;
  /** Default 30 000 ms. */
  backoffMaxMs: number;
  /** This many crashes of one process within `windowMs` make the supervisor give up. Default 5. */
  maxCrashes: number;
  /** Default 60 000 ms. */
  windowMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { backoffBaseMs: 1000, backoffMaxMs: 30_000, maxCrashes: 5, windowMs: 60_000 };

/** One process to keep running: a replica of a service. */
export interface ProcessSpec {
  /** Service name, e.g. `order`. */
  service: string;
  /** What the console calls it: `order`, or `order#2` for a second replica. */
  label: string;
  /** Port that answers `readyPath` once the process is ready. */
  opsPort: number;
  readyPath?: string;
  spawn(): ChildProcess;
}

export interface SupervisedProcess {
  spec: ProcessSpec;
  child: ChildProcess;
  /** How many times it was started again after a crash. */
  restarts: number;
}

export interface SupervisorOptions {
  failFast?: boolean;
  policy?: Partial<RestartPolicy>;
  /** How long a process may take to answer readyPath. Default 60 s. */
  readyTimeoutMs?: number;
  /** Where the loud lines go. Default console.error. */
  announce?: (line: string) => void;
}

export interface CrashEvent {
  label: string;
  pid: number | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * Events: 'crash' (CrashEvent), 'restarted' ({ label, pid }), 'ready-again' ({ label, pid }), 'give-up' (reason).
 * The caller stops the platform on 'give-up'.
 */
export class Supervisor extends EventEmitter {
  private readonly policy: RestartPolicy;
  private readonly failFast: boolean;
  private readonly readyTimeoutMs: number;
  private readonly announce: (line: string) => void;
  private readonly units: Array<SupervisedProcess & { crashes: number[]; timer?: NodeJS.Timeout }> = [];
  private stopping = false;
  private gaveUp = false;

  constructor(opts: SupervisorOptions = {}) {
    super();
    this.policy = { ...DEFAULT_RESTART_POLICY, ...opts.policy };
    this.failFast = opts.failFast ?? false;
    this.readyTimeoutMs = opts.readyTimeoutMs ?? 60_000;
    this.announce = opts.announce ?? ((line) => console.error(line));
  }

  /** The processes as they are now (a restarted one has a new child). */
  get processes(): SupervisedProcess[] {
    return this.units.map(({ spec, child, restarts }) => ({ spec, child, restarts }));
  }

  /** Starts one process and resolves once it is ready; rejects (and leaves it stopped) if it fails to get there. */
  async start(spec: ProcessSpec): Promise<SupervisedProcess> {
    const child = spec.spawn();
    const unit = { spec, child, restarts: 0, crashes: [] as number[] };
    try {
      await waitReady(spec.label, spec.opsPort, child, this.readyTimeoutMs, spec.readyPath);
    } catch (err) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      throw err;
    }
    this.units.push(unit);
    this.watch(unit);
    return { spec, child, restarts: 0 };
  }

  /** SIGTERM to every process (SIGKILL after `graceMs`); pending restarts are cancelled. */
  async stop(graceMs = 15_000): Promise<void> {
    this.stopping = true;
    for (const unit of this.units) if (unit.timer) clearTimeout(unit.timer);
    await Promise.all(this.units.map(({ child }) => terminate(child, graceMs)));
  }

  private watch(unit: SupervisedProcess & { crashes: number[]; timer?: NodeJS.Timeout }): void {
    const child = unit.child;
    child.once('exit', (code, signal) => {
      if (this.stopping || unit.child !== child) return;
      const event: CrashEvent = { label: unit.spec.label, pid: child.pid, code, signal };
      this.emit('crash', event);
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      if (this.failFast) return this.giveUp(`${unit.spec.label} (pid ${child.pid}) died: ${how}; --fail-fast stops the platform.`);

      const now = Date.now();
      unit.crashes = [...unit.crashes.filter((t) => now - t < this.policy.windowMs), now];
      const recent = unit.crashes.length;
      if (recent >= this.policy.maxCrashes) {
        return this.giveUp(
          `${unit.spec.label} died ${recent} times within ${this.policy.windowMs / 1000} s (last: ${how}); giving up and stopping the platform.`,
        );
      }
      const delayMs = Math.min(this.policy.backoffMaxMs, this.policy.backoffBaseMs * 2 ** (recent - 1));
      this.announce(
        `\n!!! ${unit.spec.label} (pid ${child.pid}) died: ${how}. Restarting in ${duration(delayMs)} ` +
          `(crash ${recent} of ${this.policy.maxCrashes} tolerated within ${this.policy.windowMs / 1000} s).\n`,
      );
      unit.timer = setTimeout(() => this.restart(unit), delayMs);
    });
  }

  private restart(unit: SupervisedProcess & { crashes: number[]; timer?: NodeJS.Timeout }): void {
    unit.timer = undefined;
    if (this.stopping) return;
    let child: ChildProcess;
    try {
      child = unit.spec.spawn();
    } catch (err) {
      return this.giveUp(`${unit.spec.label} could not be started again: ${(err as Error).message}`);
    }
    unit.child = child;
    unit.restarts += 1;
    this.emit('restarted', { label: unit.spec.label, pid: child.pid });
    this.watch(unit);
    waitReady(unit.spec.label, unit.spec.opsPort, child, this.readyTimeoutMs, unit.spec.readyPath).then(
      () => {
        if (unit.child !== child || this.stopping) return;
        this.announce(`>>> ${unit.spec.label} is back (pid ${child.pid}, restart ${unit.restarts}), ready on :${unit.spec.opsPort}.`);
        this.emit('ready-again', { label: unit.spec.label, pid: child.pid });
      },
      (err: Error) => {
        // It died again (counted by its exit handler), or it runs without being ready: say so, keep it.
        if (unit.child === child && child.exitCode === null && !this.stopping) this.announce(`!!! ${unit.spec.label}: ${err.message}`);
      },
    );
  }

  private giveUp(reason: string): void {
    if (this.gaveUp || this.stopping) return;
    this.gaveUp = true;
    this.announce(`\n!!! ${reason}\n`);
    this.emit('give-up', reason);
  }
}

export async function waitReady(name: string, port: number, child: ChildProcess, timeoutMs = 60_000, path = '/health/ready'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited with ${child.signalCode ? `signal ${child.signalCode}` : `code ${child.exitCode}`} (see its log lines above)`);
    }
    try {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} was not ready on :${port}${path} within ${timeoutMs / 1000} s`);
}

function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function terminate(child: ChildProcess, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => (clearTimeout(kill), resolve()));
    // A frozen (SIGSTOP) process must run again to handle SIGTERM.
    child.kill('SIGCONT');
    child.kill('SIGTERM');
  });
}
