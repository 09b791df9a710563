/**
 * Errors of the messaging layer. Callers branch on the class (`instanceof`), so each failure that needs a
 * different reaction has its own class: a broker that is down is retried later, an unroutable message is a
 * topology bug, a transient handler error is retried through the retry queues, a permanent one is dead-lettered.
 */

/** The broker cannot take the message now (not connected, channel closed, confirm never came). Retry later. */
export class BrokerUnavailableError extends Error {
  constructor(message = 'RabbitMQ is not available', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BrokerUnavailableError';
  }
}

/** The publish was not confirmed within the confirm timeout: the outcome is unknown, so treat it as not sent. */
export class PublishTimeoutError extends BrokerUnavailableError {
  constructor(readonly timeoutMs: number) {
    super(`publish not confirmed within ${timeoutMs} ms`);
    this.name = 'PublishTimeoutError';
  }
}

/** The broker refused the message (basic.nack): it was not stored. */
export class PublishNackedError extends Error {
  constructor(readonly exchange: string, readonly routingKey: string) {
    super(`broker refused (nack) the message for exchange '${exchange}' routing key '${routingKey}'`);
    this.name = 'PublishNackedError';
  }
}

/** A mandatory publish that reached no queue (basic.return): nobody would ever have received it. */
export class UnroutableError extends Error {
  constructor(
    readonly exchange: string,
    readonly routingKey: string,
    readonly replyCode?: number,
    readonly replyText?: string,
  ) {
    super(`message to exchange '${exchange || '(default)'}' with routing key '${routingKey}' reached no queue${replyText ? ` (${replyText})` : ''}`);
    this.name = 'UnroutableError';
  }
}

/** Thrown by a handler for a failure that may go away (a provider timeout, a lock): retried after a delay. */
export class TransientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}

/** Thrown by a handler for a failure that retrying cannot fix: the message goes straight to the DLQ. */
export class PermanentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

/** The RPC server did not answer in time. The request carried the same expiration, so it dies in the queue. */
export class RpcTimeoutError extends Error {
  constructor(readonly messageType: string, readonly timeoutMs: number) {
    super(`RPC ${messageType} got no reply within ${timeoutMs} ms`);
    this.name = 'RpcTimeoutError';
  }
}

/** The RPC server answered with a coded error (`{ ok: false, error: { code, status, message } }`). */
export class RpcRemoteError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'RpcRemoteError';
  }
}
