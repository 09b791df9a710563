import type { Logger } from '@ttelgo/observability';

export interface Lifecycle {
  /** Hooks run in REVERSE order of registration: what started last stops first. */
  onShutdown(name: string, fn: () => Promise<void> | void): void;
  /** Idempotent: a second call returns the shutdown already under way. */
  shutdown(reason: string, exitCode?: number): Promise<void>;
  /** SIGTERM/SIGINT -> shutdown(0); uncaughtException/unhandledRejection -> log fatal, shutdown(1). */
  installSignalHandlers(): void;
  readonly stopping: boolean;
}

export interface LifecycleOptions {
  hookTimeoutMs?: number;
  exit?: (code: number) => void;
}

class HookTimeoutError extends Error {}

function withTimeout(run: () => Promise<void> | void, ms: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new HookTimeoutError(`timed out after ${ms} ms`)), ms);
    Promise.resolve()
      .then(run)
      .then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (err: unknown) => {
          clearTimeout(timer);
          reject(err);
        },
      );
  });
}

export function createLifecycle(logger: Logger, opts: LifecycleOptions = {}): Lifecycle {
  const hookTimeoutMs = opts.hookTimeoutMs ?? 10_000;
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const hooks: { name: string; fn: () => Promise<void> | void }[] = [];
  let running: Promise<void> | undefined;
  let signalsInstalled = false;

  async function runHooks(reason: string, exitCode: number): Promise<void> {
    const started = Date.now();
    logger.info({ reason, exitCode, hooks: hooks.length }, 'shutdown started');
    for (const hook of [...hooks].reverse()) {
      const hookStarted = Date.now();
      try {
        await withTimeout(hook.fn, hookTimeoutMs);
        logger.info({ hook: hook.name, durationMs: Date.now() - hookStarted }, 'shutdown hook done');
      } catch (err) {
        // One stuck or failing resource must not keep the others from closing.
        if (err instanceof HookTimeoutError) {
          logger.error({ hook: hook.name, timeoutMs: hookTimeoutMs }, 'shutdown hook timed out');
        } else {
          logger.error({ hook: hook.name, err }, 'shutdown hook failed');
        }
      }
    }
    logger.info({ reason, exitCode, durationMs: Date.now() - started }, 'shutdown complete');
    exit(exitCode);
  }

  const lifecycle: Lifecycle = {
    onShutdown(name, fn) {
      if (running) logger.warn({ hook: name }, 'shutdown hook registered while stopping; it will not run');
      hooks.push({ name, fn });
    },
    shutdown(reason, exitCode = 0) {
      running ??= runHooks(reason, exitCode);
      return running;
    },
    installSignalHandlers() {
      if (signalsInstalled) return;
      signalsInstalled = true;
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        process.on(signal, () => {
          if (running) {
            // A second Ctrl-C means "now": skip the remaining hooks.
            logger.warn({ signal }, 'second signal while stopping; exiting immediately');
            exit(signal === 'SIGINT' ? 130 : 143);
            return;
          }
          void lifecycle.shutdown(signal, 0);
        });
      }
      // Started by a supervisor over an IPC channel (`npm start`): when the supervisor dies, however it died,
      // the channel closes and this process stops too instead of running on as an orphan.
      if (process.send) {
        process.once('disconnect', () => {
          if (!running) void lifecycle.shutdown('supervisor gone (IPC channel closed)', 0);
        });
      }
      process.on('uncaughtException', (err) => {
        logger.fatal({ err }, 'uncaught exception');
        void lifecycle.shutdown('uncaughtException', 1);
      });
      process.on('unhandledRejection', (reason) => {
        logger.fatal({ err: reason }, 'unhandled promise rejection');
        void lifecycle.shutdown('unhandledRejection', 1);
      });
    },
    get stopping() {
      return running !== undefined;
    },
  };
  return lifecycle;
}
