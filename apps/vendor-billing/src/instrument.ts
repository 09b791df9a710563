// Imported first by main.ts: OpenTelemetry must patch http, pg and amqplib before they are loaded.
import { startTracing } from '@ttelgo/observability';

startTracing({ serviceName: 'vendor-billing' });
