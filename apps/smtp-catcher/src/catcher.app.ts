import { listen } from '@ttelgo/http';
import type { Logger } from '@ttelgo/observability';
import { MessageStore } from './message.store';
import { startSmtpListener, type SmtpListener } from './smtp.listener';
import { createCatcherWebApp } from './web.routes';

export interface SmtpCatcherOptions {
  /** SMTP port (1025 by default in main.ts; 0 in tests). */
  smtpPort: number;
  /** Web page and JSON API port (1080 by default in main.ts; 0 in tests). */
  webPort: number;
  host?: string;
  logger: Logger;
  maxMessages?: number;
}

export interface SmtpCatcher {
  store: MessageStore;
  smtpPort: number;
  webPort: number;
  webUrl: string;
  /** Stops accepting SMTP (clients get "connection refused"); the web side and the caught mail stay. */
  stopSmtp(): Promise<void>;
  /** Starts SMTP again on the same port. */
  startSmtp(): Promise<void>;
  close(): Promise<void>;
}

/** A local mail catcher: everything sent to its SMTP port is kept in memory and shown on its web page. */
export async function startSmtpCatcher(opts: SmtpCatcherOptions): Promise<SmtpCatcher> {
  const host = opts.host ?? '127.0.0.1';
  const store = new MessageStore(opts.maxMessages);
  let smtp: SmtpListener | undefined = await startSmtpListener({ store, port: opts.smtpPort, host, logger: opts.logger });
  const smtpPort = smtp.port;
  const web = await listen(createCatcherWebApp({ store, logger: opts.logger, smtpPort: () => smtpPort }), opts.webPort, host);
  const displayHost = host.includes(':') ? `[${host}]` : host;
  return {
    store,
    smtpPort,
    webPort: web.port,
    webUrl: `http://${displayHost === '0.0.0.0' ? '127.0.0.1' : displayHost}:${web.port}`,
    stopSmtp: async () => {
      const current = smtp;
      smtp = undefined;
      await current?.close();
    },
    startSmtp: async () => {
      if (smtp) return;
      smtp = await startSmtpListener({ store, port: smtpPort, host, logger: opts.logger });
    },
    close: async () => {
      const current = smtp;
      smtp = undefined;
      await Promise.all([current?.close(), web.close()]);
    },
  };
}
