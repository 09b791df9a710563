import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { runWithContext } from '@ttelgo/observability';

// Incoming ids end up in logs and response headers: accept only short, plain tokens.
const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function acceptId(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && SANE_ID.test(value) ? value : undefined;
}

/**
 * Sets X-Request-Id (a sane incoming one, else a new uuid) and X-Correlation-Id (defaults to the request id), and runs
 * the rest of the request inside runWithContext so every log line and outgoing message carries them.
 */
export function requestContext(): RequestHandler {
  return (req, res, next) => {
    const requestId = acceptId(req.headers['x-request-id']) ?? randomUUID();
    const correlationId = acceptId(req.headers['x-correlation-id']) ?? requestId;
    res.locals['requestId'] = requestId;
    res.locals['correlationId'] = correlationId;
    res.setHeader('X-Request-Id', requestId);
    res.setHeader('X-Correlation-Id', correlationId);
    // Express 5 runs the rest of the chain (and awaits async handlers) inside this call, so promise continuations keep
    // the context. Listeners on socket/stream events must be bound where registered (see access-log.middleware.ts).
    runWithContext({ requestId, correlationId }, () => next());
  };
}
