/**
 * Live and sandbox cells. The sandbox is a second copy of the services behind the gateway (order, vendor-billing,
 * esim-provisioning, payment, notification) on its own RabbitMQ vhost and its own database schemas, configured with
 * the eSIM Go and Stripe simulators and no live credentials at all. A request authenticated with a test key runs
 * in the sandbox cell: every RPC it makes goes to the sandbox's services, so its orders, wallet, eSIMs and events
 * live in the sandbox's data and never reach a live provider, whatever the route does.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { RpcContract } from '@ttelgo/contracts';
import { AppError } from '@ttelgo/http';
import type { ServiceCaller } from './service.caller';

export type Cell = 'live' | 'sandbox';

const cellOfRequest = new AsyncLocalStorage<Cell>();

/** Runs `fn` (and everything it starts) in `cell`. */
export function runInCell<T>(cell: Cell, fn: () => T): T {
  return cellOfRequest.run(cell, fn);
}

export function currentCell(): Cell {
  return cellOfRequest.getStore() ?? 'live';
}

export const sandboxUnavailable = () =>
  new AppError('SANDBOX_UNAVAILABLE', 503, 'The sandbox is not available on this platform (test keys need SANDBOX_AMQP_URL).');

/** A caller that sends to the live service, or to the sandbox's when the current request runs in the sandbox cell. */
export function cellCaller(live: ServiceCaller, sandbox: ServiceCaller | undefined): ServiceCaller {
  return {
    call<Req, Res>(contract: RpcContract<Req, Res>, request: Req): Promise<Res> {
      if (currentCell() === 'live') return live.call(contract, request);
      if (!sandbox) return Promise.reject(sandboxUnavailable());
      return sandbox.call(contract, request);
    },
  };
}
