// Imported first by main.ts: OpenTelemetry must patch http and express before they are loaded.
import { startTracing } from '@ttelgo/observability';

startTracing({ serviceName: 'gateway' });
