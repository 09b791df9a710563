/**
 * Starts the real eSIM Go simulator in-process on port 0 (through its `@ttelgo/esimgo-sim` entry point, meant
 * for other projects' tests): component tests talk to the real simulator over HTTP, no mocks.
 */
import { listen } from '@ttelgo/http';
import type { Logger } from '@ttelgo/observability';
import { createEsimGoSimulator, DEFAULT_API_KEY, type EsimGoSimulator } from '@ttelgo/esimgo-sim';

export interface RunningSimulator {
  sim: EsimGoSimulator;
  /** e.g. http://127.0.0.1:40123/v2.4 */
  baseUrl: string;
  apiKey: string;
  close(): Promise<void>;
}

export async function startEsimGoSim(logger: Logger, opts: { rateLimitPerSecond?: number; processingDelayMs?: number } = {}): Promise<RunningSimulator> {
  const sim = createEsimGoSimulator({
    apiKeys: [DEFAULT_API_KEY],
    logger,
    rateLimitPerSecond: opts.rateLimitPerSecond ?? 10,
    ...(opts.processingDelayMs !== undefined ? { processingDelayMs: opts.processingDelayMs } : {}),
  });
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
