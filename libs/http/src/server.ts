import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export interface RunningServer {
  port: number;
  server: Server;
  /** Stops accepting, closes idle keep-alive sockets, waits for in-flight requests (then cuts them after the drain timeout). */
  close(): Promise<void>;
}

export interface ListenOptions {
  /** How long close() waits for in-flight requests before destroying their sockets. Default 10 s. */
  drainTimeoutMs?: number;
}

export function listen(app: Express, port: number, host?: string, opts: ListenOptions = {}): Promise<RunningServer> {
  const drainTimeoutMs = opts.drainTimeoutMs ?? 10_000;
  const server = createServer(app);
  let closing: Promise<void> | undefined;

  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve, reject) => {
      // A keep-alive socket that finishes its in-flight request becomes idle; sweep those until the server is closed.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const deadline = setTimeout(() => server.closeAllConnections(), drainTimeoutMs);
      server.close((err) => {
        clearInterval(sweep);
        clearTimeout(deadline);
        if (err && (err as NodeJS.ErrnoException).code !== 'ERR_SERVER_NOT_RUNNING') reject(err);
        else resolve();
      });
      server.closeIdleConnections();
    });
    return closing;
  };

  // While draining, tell keep-alive clients not to reuse the connection.
  server.on('request', (_req, res) => {
    if (closing && !res.headersSent) res.setHeader('Connection', 'close');
  });

  return new Promise<RunningServer>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve({ port: (server.address() as AddressInfo).port, server, close });
    });
  });
}
