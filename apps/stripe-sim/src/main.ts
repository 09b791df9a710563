/**
 * Starts the Stripe simulator as a process: the API on STRIPE_SIM_PORT (default 12111, stripe-mock's port),
 * /health/* and /metrics on STRIPE_SIM_OPS_PORT (default 9111). Configuration only from the environment.
 */
import { z } from 'zod';
import { listen, startOpsServer } from '@ttelgo/http';
import { createLogger, createMetrics } from '@ttelgo/observability';
import { createLifecycle, env, loadConfig } from '@ttelgo/runtime';
import { DEFAULT_API_VERSION, DEFAULT_WEBHOOK_SECRET, createStripeSimulator } from './sim.app';

const urlList = env.string('').transform((raw, ctx): string[] => {
  const urls = raw.split(',').map((u) => u.trim()).filter(Boolean);
  for (const u of urls) {
    try {
      new URL(u);
    } catch {
      ctx.addIssue({ code: 'custom', message: `expected a comma-separated list of absolute URLs, got '${u}'` });
      return z.NEVER;
    }
  }
  return urls;
});

const ConfigSchema = z.object({
  STRIPE_SIM_PORT: env.port(12111),
  STRIPE_SIM_OPS_PORT: env.port(9111),
  STRIPE_SIM_HOST: env.optionalString(),
  STRIPE_SIM_WEBHOOK_URL: urlList,
  STRIPE_WEBHOOK_SECRET: env.string(DEFAULT_WEBHOOK_SECRET),
  STRIPE_SIM_WEBHOOK_RETRY_BASE_MS: env.int(1000, 0, 3_600_000),
  STRIPE_SIM_WEBHOOK_MAX_ATTEMPTS: env.int(8, 1, 100),
  STRIPE_SIM_WEBHOOK_TIMEOUT_MS: env.int(10_000, 100, 600_000),
  STRIPE_SIM_API_VERSION: env.string(DEFAULT_API_VERSION),
  LOG_LEVEL: env.string('info'),
});

async function main(): Promise<void> {
  const config = loadConfig(ConfigSchema);
  const logger = createLogger({ service: 'stripe-sim', level: config.LOG_LEVEL });
  const metrics = createMetrics('stripe-sim');
  const lifecycle = createLifecycle(logger);
  lifecycle.installSignalHandlers();

  const sim = createStripeSimulator({
    logger,
    metrics,
    webhookUrls: config.STRIPE_SIM_WEBHOOK_URL,
    webhookSecret: config.STRIPE_WEBHOOK_SECRET,
    webhookRetryBaseMs: config.STRIPE_SIM_WEBHOOK_RETRY_BASE_MS,
    webhookMaxAttempts: config.STRIPE_SIM_WEBHOOK_MAX_ATTEMPTS,
    webhookTimeoutMs: config.STRIPE_SIM_WEBHOOK_TIMEOUT_MS,
    apiVersion: config.STRIPE_SIM_API_VERSION,
  });

  const api = await listen(sim.app, config.STRIPE_SIM_PORT, config.STRIPE_SIM_HOST);
  const ops = await startOpsServer({ port: config.STRIPE_SIM_OPS_PORT, host: config.STRIPE_SIM_HOST, logger, metrics, readiness: { api: () => api.server.listening } });
  // Hooks run in reverse: stop webhook retries first, then drain the API, then ops.
  lifecycle.onShutdown('ops server', () => ops.close());
  lifecycle.onShutdown('api server', () => api.close());
  lifecycle.onShutdown('simulator', () => sim.close());
  logger.info(
    { port: api.port, opsPort: ops.port, apiVersion: config.STRIPE_SIM_API_VERSION, webhookUrls: config.STRIPE_SIM_WEBHOOK_URL },
    'stripe-sim listening',
  );
}

main().catch((err: unknown) => {
  // The logger may not exist yet (bad configuration), so write the reason plainly and fail.
  process.stderr.write(`stripe-sim failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
