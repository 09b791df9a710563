/**
 * Fault injection and the per-IP rate limit. Faults are set through the control API and, when `paths` is
 * non-empty, apply only to API paths starting with one of those prefixes (version prefix stripped).
 */
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Socket } from 'node:net';
import { sendError } from './http.util';
import type { SimState } from './state';

export interface Hang {
  timer: NodeJS.Timeout;
  socket: Socket;
}

export function faultApplies(state: SimState, path: string): boolean {
  const { paths } = state.faults;
  return paths.length === 0 || paths.some((p) => path.startsWith(p));
}

/** outage: the provider is unreachable, so the connection dies without any response. */
export function outageGuard(state: SimState) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (state.faults.outage && faultApplies(state, req.path)) {
      req.socket.destroy();
      return;
    }
    next();
  };
}

/** eSIM Go v2.4: 10 requests per second per IP. Fixed one-second windows; 0 turns it off. */
export function rateLimiter(state: SimState) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const windows = state.rate.windows;
    const limit = state.faults.rateLimitPerSecond;
    if (!limit || limit <= 0) return next();
    const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const now = state.now();
    let w = windows.get(ip);
    if (!w || now - w.start >= 1000) {
      if (windows.size > 10000) windows.clear();
      w = { start: now, count: 0 };
      windows.set(ip, w);
    }
    w.count += 1;
    if (w.count > limit) {
      state.rate.rateLimited += 1;
      return sendError(res, 429, 'Too Many Requests', { 'Retry-After': '1' });
    }
    next();
  };
}

export function injectFaults(state: SimState, dice: () => number, hangs: Set<Hang>, logger: Logger) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const f = state.faults;
    if (!faultApplies(state, req.path)) return next();
    if (f.burst429 > 0) {
      f.burst429 -= 1;
      return sendError(res, 429, 'Too Many Requests', { 'Retry-After': String(f.retryAfterSeconds) });
    }
    if (f.burst503 > 0) {
      f.burst503 -= 1;
      return sendError(res, 503, 'Processing - Please come back later or use the Retry-After (seconds) header', {
        'Retry-After': String(f.retryAfterSeconds),
      });
    }
    if (f.errorRate > 0 && dice() < f.errorRate) return sendError(res, 500, 'Internal Server Error');
    if (f.latencyMs > 0) await new Promise((r) => setTimeout(r, f.latencyMs));
    if (f.timeoutRate > 0 && dice() < f.timeoutRate) {
      // Like a real network timeout after the provider committed: the handler still runs (an order is
      // created), only the response never arrives and the socket dies after hangMs.
      swallowResponse(res);
      const socket = req.socket;
      const hang: Hang = {
        socket,
        timer: setTimeout(() => {
          hangs.delete(hang);
          socket.destroy();
        }, f.hangMs),
      };
      hangs.add(hang);
      socket.once('close', () => {
        clearTimeout(hang.timer);
        hangs.delete(hang);
      });
      logger.info({ path: req.path, method: req.method, hangMs: f.hangMs }, 'fault: request will hang');
    }
    next();
  };
}

function swallowResponse(res: Response): void {
  const r = res as unknown as Record<string, unknown>;
  r.writeHead = () => res;
  r.write = () => true;
  r.end = () => res;
}
