import './instrument';
import { createLogger, type Logger } from '@ttelgo/observability';
import { createLifecycle } from '@ttelgo/runtime';
import { loadGatewayConfig } from './config';
import { startGateway } from './service';

let logger: Logger | undefined;

async function main(): Promise<void> {
  const config = loadGatewayConfig(process.env);
  logger = createLogger({ service: 'gateway', level: config.LOG_LEVEL });
  const lifecycle = createLifecycle(logger);
  // Installed before start: a SIGTERM while the broker is still being reached must still stop the process.
  lifecycle.installSignalHandlers();
  const gateway = await startGateway(config, { logger });
  lifecycle.onShutdown('gateway', () => gateway.close());
}

main().catch((err: unknown) => {
  if (logger) logger.fatal({ err }, 'gateway failed to start');
  // Without a logger (a ConfigError lists every bad variable) stderr is the only channel left.
  else process.stderr.write(`gateway failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
