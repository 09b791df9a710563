import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  requestId?: string;
  correlationId?: string;
  causationId?: string;
  actor?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `fn` with `ctx` merged over the current context; fields left undefined keep the outer value. */
export function runWithContext<T>(ctx: RequestContext, fn: () => T): T {
  const merged: RequestContext = { ...storage.getStore() };
  for (const [key, value] of Object.entries(ctx) as [keyof RequestContext, string | undefined][]) {
    if (value !== undefined) merged[key] = value;
  }
  return storage.run(merged, fn);
}

export function getContext(): RequestContext {
  return storage.getStore() ?? {};
}
