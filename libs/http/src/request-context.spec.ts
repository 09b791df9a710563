import { request as httpRequest } from 'node:http';
import { getContext } from '@ttelgo/observability';
import { captureLogger } from './capture-logger.test-helper';
import { createHttpApp } from './create-http-app';
import { finishHttpApp } from './error-handler';
import { listen, type RunningServer } from './server';

// supertest sends headers and body in one packet; these cases make Node deliver the body and the 'finish' event
// from socket callbacks, which is where an AsyncLocalStorage context gets lost.
describe('request context across socket callbacks', () => {
  const log = captureLogger();
  let running: RunningServer;

  beforeAll(async () => {
    const app = createHttpApp({ logger: log.logger, service: 'ctx-test' });
    app.post('/late-body', async (req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      log.logger.info('late body handler');
      res.json({ requestId: getContext().requestId, body: req.body });
    });
    app.get('/big', (_req, res) => {
      res.type('text/plain').send('x'.repeat(8 * 1024 * 1024));
    });
    finishHttpApp(app, log.logger);
    running = await listen(app, 0, '127.0.0.1');
  });
  afterAll(() => running.close());

  it('keeps the request id when the JSON body arrives after the headers', async () => {
    const result = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: running.port,
          method: 'POST',
          path: '/late-body',
          headers: { 'content-type': 'application/json', 'x-request-id': 'late-1', 'content-length': '9' },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.flushHeaders();
      setTimeout(() => req.end('{"a":123}'), 100);
    });
    expect(result.status).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ requestId: 'late-1', body: { a: 123 } });
    expect(log.lines.find((l) => l['msg'] === 'late body handler')).toMatchObject({ requestId: 'late-1' });
  });

  it('the access-log line of a large response still carries the request id', async () => {
    const size = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: running.port, path: '/big', headers: { 'x-request-id': 'big-1' } }, (res) => {
        let n = 0;
        // a slow reader makes the server's writes complete asynchronously
        res.on('data', (c: Buffer) => {
          n += c.length;
          res.pause();
          setTimeout(() => res.resume(), 1);
        });
        res.on('end', () => resolve(n));
      });
      req.on('error', reject);
      req.end();
    });
    expect(size).toBe(8 * 1024 * 1024);
    const line = log.lines.find((l) => l['msg'] === 'request completed' && l['path'] === '/big');
    expect(line).toMatchObject({ requestId: 'big-1', status: 200, route: '/big' });
  });
});
