/**
 * Starts the real eSIM Go simulator in-process on port 0. The simulator is an app, and apps may not import each
 * other; this test helper is the one sanctioned exception: component tests must talk to the real simulator
 * over HTTP (no mocks), and the simulator ships no library form to import instead.
 */
import { listen } from '@ttelgo/http';
import type { Logger } from '@ttelgo/observability';
// eslint-disable-next-line @nx/enforce-module-boundaries -- test-only: drive the real simulator in-process (see above)
import { createEsimGoSimulator, DEFAULT_API_KEY, type EsimGoSimulator } from '../../../esimgo-sim/src/sim.app';

export interface RunningSimulator {
  sim: EsimGoSimulator;
  /** e.g. http://127.0.0.1:40123/v2.4 */
  baseUrl: string;
  apiKey: string;
  close(): Promise<void>;
}

export async function startEsimGoSim(logger: Logger, opts: { rateLimitPerSecond?: number } = {}): Promise<RunningSimulator> {
  const sim = createEsimGoSimulator({ apiKeys: [DEFAULT_API_KEY], logger, rateLimitPerSecond: opts.rateLimitPerSecond ?? 10 });
  const server = await listen(sim.app, 0, '127.0.0.1');
  return {
    sim,
    baseUrl: `http://127.0.0.1:${server.port}/v2.4`,
    apiKey: DEFAULT_API_KEY,
    close: async () => {
      sim.close();
      await server.close();
    },
  };
}
