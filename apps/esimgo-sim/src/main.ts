/**
 * Starts the eSIM Go simulator as a process: the API on ESIMGO_SIM_PORT (default 12112), /health/* and
 * /metrics on ESIMGO_SIM_OPS_PORT (default 9112). Configuration only from the environment.
 */
import { z } from 'zod';
import { listen, startOpsServer } from '@ttelgo/http';
import { createLogger, createMetrics } from '@ttelgo/observability';
import { createLifecycle, env, loadConfig } from '@ttelgo/runtime';
import { DEFAULT_API_KEY, DEFAULT_SMDP_ADDRESS, createEsimGoSimulator } from './sim.app';

const ConfigSchema = z.object({
  ESIMGO_SIM_PORT: env.port(12112),
  ESIMGO_SIM_OPS_PORT: env.port(9112),
  ESIMGO_SIM_HOST: env.optionalString(),
  ESIMGO_SIM_API_KEYS: env.string(DEFAULT_API_KEY),
  ESIMGO_SIM_RATE_LIMIT: env.int(10, 0, 100_000),
  ESIMGO_SIM_SEED: env.int(1, 0, 2 ** 31 - 1),
  ESIMGO_SIM_BALANCE: env.int(10000, 0, 1_000_000_000),
  ESIMGO_SIM_PROCESSING_DELAY_MS: env.int(0, 0, 3_600_000),
  ESIMGO_SIM_SMDP_ADDRESS: env.string(DEFAULT_SMDP_ADDRESS),
  ESIMGO_SIM_CALLBACK_URL: env.optionalUrl(),
  ESIMGO_SIM_CALLBACK_SIGNING_KEY: env.optionalString(),
  ESIMGO_SIM_CALLBACK_DIGEST: z.enum(['base64', 'hex']).default('base64'),
  /** The sandbox's magic bundles (test_provisioning_fails, test_completes_after_5s, test_usage_80). */
  ESIMGO_SIM_TEST_BUNDLES: env.bool(false),
  LOG_LEVEL: env.string('info'),
});

async function main(): Promise<void> {
  const config = loadConfig(ConfigSchema);
  const logger = createLogger({ service: 'esimgo-sim', level: config.LOG_LEVEL });
  const metrics = createMetrics('esimgo-sim');
  const lifecycle = createLifecycle(logger);
  lifecycle.installSignalHandlers();

  const apiKeys = config.ESIMGO_SIM_API_KEYS.split(',').map((k) => k.trim()).filter(Boolean);
  const sim = createEsimGoSimulator({
    apiKeys,
    rateLimitPerSecond: config.ESIMGO_SIM_RATE_LIMIT,
    callbackUrl: config.ESIMGO_SIM_CALLBACK_URL,
    callbackSigningKey: config.ESIMGO_SIM_CALLBACK_SIGNING_KEY,
    callbackDigest: config.ESIMGO_SIM_CALLBACK_DIGEST,
    seed: config.ESIMGO_SIM_SEED,
    initialBalance: config.ESIMGO_SIM_BALANCE,
    processingDelayMs: config.ESIMGO_SIM_PROCESSING_DELAY_MS,
    smdpAddress: config.ESIMGO_SIM_SMDP_ADDRESS,
    testBundles: config.ESIMGO_SIM_TEST_BUNDLES,
    logger,
    metrics,
  });

  const api = await listen(sim.app, config.ESIMGO_SIM_PORT, config.ESIMGO_SIM_HOST);
  // Hooks run in reverse: stop hanging requests and callback retries first, then drain the API, then ops.
  const ops = await startOpsServer({ port: config.ESIMGO_SIM_OPS_PORT, host: config.ESIMGO_SIM_HOST, logger, metrics, readiness: { api: () => api.server.listening } });
  lifecycle.onShutdown('ops server', () => ops.close());
  lifecycle.onShutdown('api server', () => api.close());
  lifecycle.onShutdown('simulator', () => sim.close());
  logger.info(
    { port: api.port, opsPort: ops.port, basePaths: ['/v2.4', '/v2.5'], bundles: sim.state.catalogue.length, apiKeys: apiKeys.length },
    'esimgo-sim listening',
  );
}

main().catch((err: unknown) => {
  // The logger may not exist yet (bad configuration), so write the reason plainly and fail.
  process.stderr.write(`esimgo-sim failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
