import { Writable } from 'node:stream';
import { createLogger } from '@ttelgo/observability';
import { createLifecycle } from './lifecycle';

function setup(hookTimeoutMs = 200) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      cb();
    },
  });
  const exits: number[] = [];
  const lifecycle = createLifecycle(createLogger({ service: 'lifecycle-test', level: 'info', destination }), {
    hookTimeoutMs,
    exit: (code) => exits.push(code),
  });
  return { lifecycle, lines, exits };
}

describe('createLifecycle', () => {
  it('runs hooks in reverse order of registration, then exits with the code', async () => {
    const { lifecycle, exits, lines } = setup();
    const order: string[] = [];
    lifecycle.onShutdown('db', () => {
      order.push('db');
    });
    lifecycle.onShutdown('broker', async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      order.push('broker');
    });
    lifecycle.onShutdown('http', () => {
      order.push('http');
    });
    expect(lifecycle.stopping).toBe(false);
    const done = lifecycle.shutdown('test', 3);
    expect(lifecycle.stopping).toBe(true);
    await done;
    expect(order).toEqual(['http', 'broker', 'db']);
    expect(exits).toEqual([3]);
    expect(lines.filter((l) => l['msg'] === 'shutdown hook done').map((l) => l['hook'])).toEqual(['http', 'broker', 'db']);
  });

  it('keeps going after a throwing hook and a hanging hook', async () => {
    const { lifecycle, exits, lines } = setup(100);
    const order: string[] = [];
    lifecycle.onShutdown('first', () => {
      order.push('first');
    });
    lifecycle.onShutdown('hangs', () => new Promise<void>(() => undefined));
    lifecycle.onShutdown('throws', () => {
      throw new Error('boom');
    });
    const started = Date.now();
    await lifecycle.shutdown('test');
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(order).toEqual(['first']);
    expect(exits).toEqual([0]);
    expect(lines.find((l) => l['msg'] === 'shutdown hook failed')).toMatchObject({ hook: 'throws', level: 50 });
    expect(lines.find((l) => l['msg'] === 'shutdown hook timed out')).toMatchObject({ hook: 'hangs', timeoutMs: 100 });
  });

  it('is idempotent: hooks run once and exit is called once', async () => {
    const { lifecycle, exits } = setup();
    let calls = 0;
    lifecycle.onShutdown('count', async () => {
      calls += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
    });
    const first = lifecycle.shutdown('SIGTERM', 0);
    const second = lifecycle.shutdown('SIGINT', 1);
    expect(second).toBe(first);
    await Promise.all([first, second]);
    await lifecycle.shutdown('again', 2);
    expect(calls).toBe(1);
    expect(exits).toEqual([0]);
  });
});
