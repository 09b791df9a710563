/**
 * Every node-postgres connection of the platform is made here, so that none is ever without an 'error' listener.
 *
 * Why: a pg Client whose socket dies (a database restart, a failover, a network cut) emits 'error', and an
 * EventEmitter 'error' that nobody listens to is thrown as an uncaught exception, which ends the process. A pg Pool
 * listens on its *idle* clients only: pg-pool removes its listener when a client is checked out and puts it back on
 * release. So a connection that dies while it is checked out (a transaction waiting for a broker confirm, a job
 * holding an advisory lock) or while a statement runs on it (the socket's end is reported to the client before the
 * caller has seen its query fail and released the client) used to kill the service. A process frozen across a
 * database restart (a long GC pause, SIGSTOP) meets that case almost surely: on resume it reads the server's
 * goodbye and the closed socket in one go, while its clients are still checked out.
 *
 * The fix is at the source: every client gets a listener when it is constructed (the pool builds its clients from
 * a subclass that attaches one), for its whole life, checked out or not. The listener only reports: the query in
 * flight, if any, fails with the same error, its caller handles it, and the pool discards a client that is no
 * longer queryable when it comes back. Nothing else in the platform may construct a pg Client or Pool (a lint rule).
 */
import pg from 'pg';
import type { Logger } from 'pino';

export interface PgConnectionOptions {
  databaseUrl: string;
  /** Shown in pg_stat_activity; Postgres truncates it to 63 bytes. */
  applicationName: string;
  /** Where a lost connection is reported (warn). */
  logger?: Pick<Logger, 'warn'> | undefined;
}

export interface PgPoolOptions extends PgConnectionOptions {
  /** Default 10. */
  max?: number;
  idleTimeoutMillis?: number;
}

export interface PgClientOptions extends PgConnectionOptions {
  /** Called instead of the warning when the connection fails (a LISTEN client reconnects from here, say). */
  onError?: (err: Error) => void;
}

function reporter(opts: PgConnectionOptions): (err: Error) => void {
  const applicationName = opts.applicationName.slice(0, 63);
  return (err) => opts.logger?.warn({ err, applicationName }, 'Postgres connection lost; work on it fails and the next use reconnects');
}

/** A pg Client class whose instances listen for 'error' from construction on. */
function guardedClientClass(onError: (err: Error) => void): new (config?: string | pg.ClientConfig) => pg.Client {
  return class GuardedClient extends pg.Client {
    constructor(config?: string | pg.ClientConfig) {
      super(config);
      this.on('error', onError);
    }
  };
}

/** A pg Pool whose every client, idle or checked out, has an 'error' listener. TCP keep-alive is on. */
export function createPgPool(opts: PgPoolOptions): pg.Pool {
  const report = reporter(opts);
  const pool = new pg.Pool({
    connectionString: opts.databaseUrl,
    application_name: opts.applicationName.slice(0, 63),
    max: opts.max ?? 10,
    ...(opts.idleTimeoutMillis !== undefined ? { idleTimeoutMillis: opts.idleTimeoutMillis } : {}),
    keepAlive: true,
    Client: guardedClientClass(report) as unknown as new () => pg.ClientBase,
  });
  // pg-pool re-emits an idle client's error on the pool; the client's own listener has reported it already.
  pool.on('error', () => undefined);
  return pool;
}

/** One dedicated connection (LISTEN, a job lock, a migration run) with an 'error' listener from the start. */
export function createPgClient(opts: PgClientOptions): pg.Client {
  const Client = guardedClientClass(opts.onError ?? reporter(opts));
  return new Client({ connectionString: opts.databaseUrl, application_name: opts.applicationName.slice(0, 63), keepAlive: true });
}
