import { z } from 'zod';
import { env, loadConfig } from '@ttelgo/runtime';

export const GatewayConfigSchema = z.object({
  PORT: env.port(8080),
  OPS_PORT: env.port(9101),
  AMQP_URL: env.url('amqp://guest:guest@127.0.0.1:5672'),
  /** Per RPC call; the request carries the same expiration, so a late answer is never computed for nobody. */
  RPC_TIMEOUT_MS: env.int(3000, 50, 60_000),
  /** Safety net behind the catalogue-updated invalidation (a lost event, a second replica, see README). */
  CATALOGUE_CACHE_TTL_MS: env.int(30_000, 0, 3_600_000),
  /** Bounds memory: every distinct normalised query is an entry, and clients choose the queries. */
  CATALOGUE_CACHE_MAX_ENTRIES: env.int(5000, 1, 1_000_000),
  /** Liveness fails after this long without a usable broker connection, so the orchestrator replaces the pod. */
  AMQP_MAX_DISCONNECTED_MS: env.int(300_000, 1000),
  /** Absolute base URL advertised in the OpenAPI `servers` (e.g. https://api.ttelgo.dev); relative when unset. */
  PUBLIC_BASE_URL: env.optionalUrl(),
  // A blank variable counts as unset, like everywhere else in env parsing.
  LOG_LEVEL: z.preprocess(
    (raw) => (typeof raw === 'string' && raw.trim() === '' ? undefined : raw),
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
});

export type GatewayConfig = z.infer<typeof GatewayConfigSchema>;

export function loadGatewayConfig(source: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return loadConfig(GatewayConfigSchema, source);
}
