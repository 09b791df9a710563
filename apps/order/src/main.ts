import './instrument';
import { createLogger } from '@ttelgo/observability';
import { createLifecycle } from '@ttelgo/runtime';
import { loadOrderConfig } from './config';
import { SERVICE_NAME, startOrder } from './service';

async function main(): Promise<void> {
  const config = loadOrderConfig(process.env);
  const logger = createLogger({ service: SERVICE_NAME, level: config.logLevel });
  const lifecycle = createLifecycle(logger);
  // Installed before start: a SIGTERM while Postgres or the broker is still being reached must still stop us.
  lifecycle.installSignalHandlers();
  const service = await startOrder(config, { logger });
  lifecycle.onShutdown(SERVICE_NAME, () => service.close());
}

main().catch((err: unknown) => {
  // The logger may not exist yet (a ConfigError): stderr, then a non-zero exit.
  process.stderr.write(`order failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
