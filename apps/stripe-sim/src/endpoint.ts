/**
 * Wraps one /v1 operation with what every Stripe endpoint shares: parameters from the form body (POST) or
 * query (GET), the idempotency layer for POSTs, the latency fault (inside the idempotency lock, so a client
 * that times out and retries meets a 409 as it would at Stripe), and errors in Stripe's format.
 */
import type { Request, RequestHandler, Response } from 'express';
import type { RequestCtx } from './events.service';
import type { IdempotencyStore } from './idempotency';
import { asParams, expandList, type Params } from './params';
import { StripeApiError, errorBody } from './stripe-error';
import type { SimState } from './state';

export interface ApiCall {
  params: Params;
  path: Record<string, string>;
  ctx: RequestCtx;
  expand: string[];
}

export interface EndpointDeps {
  state: SimState;
  idempotency: IdempotencyStore;
}

export function faultApplies(state: SimState, path: string): boolean {
  const { paths } = state.faults;
  return paths.length === 0 || paths.some((p) => path.startsWith(p));
}

export function pathOf(req: Request): string {
  return req.originalUrl.split('?')[0] ?? req.path;
}

export function endpoint(deps: EndpointDeps, handler: (call: ApiCall) => object): RequestHandler {
  return async (req: Request, res: Response) => {
    const isPost = req.method === 'POST';
    const params = asParams(isPost ? req.body : req.query);
    const path = pathOf(req);
    const key = isPost ? req.get('idempotency-key') : undefined;
    const requestId = String(res.locals.requestId);
    let locked = false;
    try {
      if (key !== undefined) {
        res.setHeader('Idempotency-Key', key);
        const begun = deps.idempotency.begin(key, req.method, path, params);
        if (begun.kind === 'replay') {
          res.setHeader('Idempotent-Replayed', 'true');
          res.status(begun.status).json(begun.body);
          return;
        }
        locked = true;
      }
      const latency = faultApplies(deps.state, path) ? deps.state.faults.latencyMs : 0;
      if (latency > 0) await new Promise((r) => setTimeout(r, latency));
      const result = handler({
        params,
        path: req.params as Record<string, string>,
        ctx: { requestId, idempotencyKey: key ?? null },
        expand: expandList(params),
      });
      if (locked) deps.idempotency.complete(key!, 200, result);
      res.status(200).json(result);
    } catch (err) {
      if (!(err instanceof StripeApiError)) {
        if (locked) deps.idempotency.abort(key!);
        throw err;
      }
      const { status, body } = errorBody(err.status, err.body);
      if (locked) {
        if (err.opts.validation) deps.idempotency.abort(key!);
        else deps.idempotency.complete(key!, status, body);
      }
      for (const [k, v] of Object.entries(err.opts.headers ?? {})) res.setHeader(k, v);
      res.status(status).json(body);
    }
  };
}
