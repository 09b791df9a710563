import { Agent, request as httpRequest } from 'node:http';
import express from 'express';
import { listen } from './server';

function get(port: number, path: string, agent: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('listen', () => {
  it('listens on port 0; close() drops idle keep-alive sockets and waits for in-flight requests', async () => {
    const app = express();
    app.get('/fast', (_req, res) => {
      res.send('fast');
    });
    app.get('/slow', async (_req, res) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      res.send('slow');
    });
    const running = await listen(app, 0, '127.0.0.1');
    expect(running.port).toBeGreaterThan(0);
    const agent = new Agent({ keepAlive: true });
    try {
      // leaves an idle keep-alive socket behind
      expect(await get(running.port, '/fast', agent)).toEqual({ status: 200, body: 'fast' });
      const inFlight = get(running.port, '/slow', agent);
      await new Promise((resolve) => setTimeout(resolve, 50));

      const started = Date.now();
      let closedAt = 0;
      const closed = running.close().then(() => (closedAt = Date.now()));
      expect(running.close()).toBe(running.close());

      expect(await inFlight).toEqual({ status: 200, body: 'slow' });
      await closed;
      expect(closedAt - started).toBeGreaterThanOrEqual(200);
      expect(closedAt - started).toBeLessThan(3000);
      expect(running.server.listening).toBe(false);
    } finally {
      agent.destroy();
    }
  });

  it('close() cuts requests that outlive the drain timeout', async () => {
    const app = express();
    app.get('/hang', () => undefined);
    const running = await listen(app, 0, '127.0.0.1', { drainTimeoutMs: 200 });
    const agent = new Agent({ keepAlive: true });
    try {
      const hanging = get(running.port, '/hang', agent).then(
        () => 'answered',
        () => 'cut',
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
      const started = Date.now();
      await running.close();
      expect(Date.now() - started).toBeLessThan(2000);
      expect(await hanging).toBe('cut');
    } finally {
      agent.destroy();
    }
  });

  it('rejects when the port is taken', async () => {
    const first = await listen(express(), 0, '127.0.0.1');
    try {
      await expect(listen(express(), first.port, '127.0.0.1')).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await first.close();
    }
  });
});
