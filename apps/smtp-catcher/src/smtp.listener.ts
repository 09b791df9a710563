import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { Logger } from '@ttelgo/observability';
import type { MessageStore } from './message.store';

export interface SmtpListener {
  port: number;
  close(): Promise<void>;
}

/**
 * An SMTP server that accepts every message (any or no AUTH, no TLS) and stores it parsed. STARTTLS is not
 * offered: a client would try it opportunistically and then reject our self-signed certificate.
 */
export async function startSmtpListener(opts: { store: MessageStore; port: number; host?: string; logger: Logger; maxMessageBytes?: number }): Promise<SmtpListener> {
  const maxBytes = opts.maxMessageBytes ?? 25 * 1024 * 1024;
  const options: SMTPServerOptions = {
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    hideSTARTTLS: true,
    banner: 'TtelGo SMTP catcher (mail is kept in memory, never delivered)',
    size: maxBytes,
    logger: false,
    // Stopping the catcher (tests, Ctrl-C) should not wait for idle clients.
    closeTimeout: 1000,
    onAuth: (_auth, _session, callback) => callback(null, { user: 'catcher' }),
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (err) => callback(err));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          callback(Object.assign(new Error('Message exceeds the size limit'), { responseCode: 552 }));
          return;
        }
        const raw = Buffer.concat(chunks);
        // keepCidLinks: show the HTML as sent (cid: references), not rewritten to data: URIs.
        simpleParser(raw, { keepCidLinks: true })
          .then((parsed) => {
            const envelope = {
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
              to: session.envelope.rcptTo.map((r) => r.address),
            };
            const message = opts.store.add(parsed, raw, envelope);
            opts.logger.info({ id: message.id, to: envelope.to, subject: message.subject }, 'mail caught');
            callback(null, `Message accepted as ${message.id}`);
          })
          .catch((err: unknown) => {
            opts.logger.warn({ err }, 'could not parse a message');
            callback(Object.assign(new Error('Message could not be parsed'), { responseCode: 554 }));
          });
      });
    },
  };
  const server = new SMTPServer(options);
  server.on('error', (err) => opts.logger.warn({ err }, 'SMTP server error'));
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.server.once('error', onError);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      server.server.off('error', onError);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
