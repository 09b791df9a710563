import type { Logger } from '@ttelgo/observability';

/**
 * What a service opened, to close in reverse order — on shutdown, and also when start fails half-way. A closer
 * that throws is logged and the others still run.
 */
export interface Closers {
  add(name: string, fn: () => Promise<void> | void): void;
  closeAll(): Promise<void>;
}

export function createClosers(logger: Logger, service: string): Closers {
  const closers: Array<{ name: string; fn: () => Promise<void> | void }> = [];
  return {
    add: (name, fn) => void closers.push({ name, fn }),
    closeAll: async () => {
      for (const closer of closers.splice(0).reverse()) {
        try {
          await closer.fn();
        } catch (err) {
          logger.error({ err, step: closer.name }, `error while stopping ${service}`);
        }
      }
    },
  };
}
