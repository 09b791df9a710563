import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ServiceMetrics {
  registry: Registry;
  httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  /** outcome: confirmed | returned | nacked | error */
  messagesPublished: Counter<'type' | 'outcome'>;
  /** outcome: ok | duplicate | retry | dead-letter | invalid */
  messagesConsumed: Counter<'type' | 'handler' | 'outcome'>;
  outboxBacklog: Gauge;
  outboxOldestAgeSeconds: Gauge;
  /** 0 closed, 1 half-open, 2 open */
  breakerState: Gauge<'breaker'>;
  externalCallDuration: Histogram<'provider' | 'operation' | 'outcome'>;
  rpcDuration: Histogram<'type' | 'outcome'>;
}

// Our handlers answer in about 1-20 ms; the fine low buckets make that range visible, the tail catches stalls.
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const RPC_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
// Provider calls (eSIM Go, Stripe) cross the internet: tens of ms to tens of seconds.
const EXTERNAL_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** A new Registry per call, so tests and several services in one process never share or collide. */
export function createMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'ttelgo_http_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: HTTP_BUCKETS,
      registers,
    }),
    messagesPublished: new Counter({
      name: 'ttelgo_messages_published_total',
      help: 'Messages published to RabbitMQ by type and outcome (confirmed, returned, nacked, error)',
      labelNames: ['type', 'outcome'] as const,
      registers,
    }),
    messagesConsumed: new Counter({
      name: 'ttelgo_messages_consumed_total',
      help: 'Messages consumed by type, handler and outcome (ok, duplicate, retry, dead-letter, invalid)',
      labelNames: ['type', 'handler', 'outcome'] as const,
      registers,
    }),
    outboxBacklog: new Gauge({
      name: 'ttelgo_outbox_backlog',
      help: 'Outbox rows not yet published',
      registers,
    }),
    outboxOldestAgeSeconds: new Gauge({
      name: 'ttelgo_outbox_oldest_age_seconds',
      help: 'Age of the oldest unpublished outbox row in seconds',
      registers,
    }),
    breakerState: new Gauge({
      name: 'ttelgo_breaker_state',
      help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open',
      labelNames: ['breaker'] as const,
      registers,
    }),
    externalCallDuration: new Histogram({
      name: 'ttelgo_external_call_duration_seconds',
      help: 'Duration of calls to external providers by provider, operation and outcome',
      labelNames: ['provider', 'operation', 'outcome'] as const,
      buckets: EXTERNAL_BUCKETS,
      registers,
    }),
    rpcDuration: new Histogram({
      name: 'ttelgo_rpc_duration_seconds',
      help: 'RPC round-trip duration over RabbitMQ by message type and outcome',
      labelNames: ['type', 'outcome'] as const,
      buckets: RPC_BUCKETS,
      registers,
    }),
  };
}
