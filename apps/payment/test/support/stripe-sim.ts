/**
 * Starts the real Stripe simulator in-process on port 0, with no webhook endpoint: the tests fetch events from
 * it (GET /v1/events) and hand them to payment themselves, exactly as the gateway's webhook ingress would.
 * The simulator is an app; component tests may import a simulator (eslint allows type:simulator in apps/test).
 */
import { listen } from '@ttelgo/http';
import type { Logger } from '@ttelgo/observability';
import { createStripeSimulator, type StripeSimulator } from '@ttelgo/stripe-sim';

export interface RunningStripeSim {
  sim: StripeSimulator;
  /** e.g. http://127.0.0.1:40123 */
  baseUrl: string;
  close(): Promise<void>;
}

export async function startStripeSim(logger: Logger): Promise<RunningStripeSim> {
  const sim = createStripeSimulator({ logger, webhookUrls: [] });
  const server = await listen(sim.app, 0, '127.0.0.1');
  return {
    sim,
    baseUrl: `http://127.0.0.1:${server.port}`,
    close: async () => {
      sim.close();
      await server.close();
    },
  };
}
