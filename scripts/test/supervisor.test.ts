/**
 * The supervisor behind `npm start`: restarts a crashed process with a doubling backoff and says so, gives up only
 * on a crash loop, and gives up at once with failFast. The processes are tiny Node programs with a readiness port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { waitFor } from '@ttelgo/testing';
import { Supervisor, type ProcessSpec } from '../supervisor';

/** A process that answers /health/ready on PORT (CRASH_AT_START: exits at once), and exits with code 1 after CRASH_AFTER_MS when that is set. */
const PROGRAM = `
if (process.env.CRASH_AT_START) process.exit(1);
const http = require('node:http');
http.createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');
if (process.env.CRASH_AFTER_MS) setTimeout(() => process.exit(1), Number(process.env.CRASH_AFTER_MS));
`;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const supervisors: Supervisor[] = [];
afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((s) => s.stop(2000)));
});

async function spec(label: string, env: Record<string, string> = {}): Promise<ProcessSpec & { spawned: ChildProcess[] }> {
  const port = await freePort();
  const spawned: ChildProcess[] = [];
  return {
    service: label,
    label,
    opsPort: port,
    spawned,
    spawn: () => {
      const child = spawn(process.execPath, ['-e', PROGRAM], { env: { ...process.env, PORT: String(port), ...env }, stdio: 'ignore' });
      spawned.push(child);
      return child;
    },
  };
}

function supervisor(opts: ConstructorParameters<typeof Supervisor>[0] = {}): { s: Supervisor; lines: string[] } {
  const lines: string[] = [];
  const s = new Supervisor({ announce: (line) => lines.push(line), readyTimeoutMs: 10_000, ...opts });
  supervisors.push(s);
  return { s, lines };
}

it('restarts a process killed with SIGKILL, says so, and it is ready again', async () => {
  const { s, lines } = supervisor({ policy: { backoffBaseMs: 100 } });
  const worker = await spec('worker');
  const other = await spec('other');
  await s.start(worker);
  await s.start(other);
  const readyAgain = new Promise<{ label: string; pid: number }>((resolve) => s.once('ready-again', resolve));

  const first = worker.spawned[0]!;
  first.kill('SIGKILL');
  const back = await readyAgain;

  expect(back.label).toBe('worker');
  expect(back.pid).not.toBe(first.pid);
  expect(lines.join('\n')).toMatch(/worker \(pid \d+\) died: signal SIGKILL\. Restarting in 100 ms \(crash 1 of 5/);
  expect(lines.join('\n')).toMatch(/worker is back/);
  expect((await fetch(`http://127.0.0.1:${worker.opsPort}/health/ready`)).ok).toBe(true);
  // The other process was left alone.
  expect(other.spawned).toHaveLength(1);
  expect(other.spawned[0]!.exitCode).toBeNull();
  expect(s.processes.find((p) => p.spec.label === 'worker')).toMatchObject({ restarts: 1 });
});

it('doubles the backoff on repeated crashes and gives up after maxCrashes within the window', async () => {
  const { s, lines } = supervisor({ policy: { backoffBaseMs: 50, maxCrashes: 3, windowMs: 60_000 } });
  const gaveUp = new Promise<string>((resolve) => s.once('give-up', resolve));
  // Ready at once, then dies after 400 ms, every time.
  const looping = await spec('looping', { CRASH_AFTER_MS: '400' });
  await s.start(looping);

  const reason = await gaveUp;
  expect(reason).toMatch(/looping died 3 times within 60 s/);
  expect(looping.spawned).toHaveLength(3);
  const delays = lines.map((l) => /Restarting in ([\d.]+ m?s)/.exec(l)?.[1]).filter(Boolean);
  expect(delays).toEqual(['50 ms', '100 ms']);
});

it('computes the restart delay as base x 2^(recent crashes - 1), capped', async () => {
  const { s, lines } = supervisor({ policy: { backoffBaseMs: 1000, backoffMaxMs: 1500, maxCrashes: 10 } });
  const p = await spec('slow');
  await s.start(p);
  p.spawned[0]!.kill('SIGKILL');
  await waitFor(() => p.spawned.length === 2 && p.spawned[1]!.pid, { message: 'restarted after 1 s' });
  await waitFor(async () => (await fetch(`http://127.0.0.1:${p.opsPort}/health/ready`).catch(() => undefined))?.ok, { message: 'ready again' });
  p.spawned[1]!.kill('SIGKILL');
  await waitFor(() => lines.filter((l) => l.includes('Restarting')).length === 2, { message: 'second crash announced' });
  const delays = lines.map((l) => /Restarting in ([\d.]+ m?s)/.exec(l)?.[1]).filter(Boolean);
  expect(delays).toEqual(['1.0 s', '1.5 s']);
});

it('with failFast, gives up at the first crash without restarting', async () => {
  const { s } = supervisor({ failFast: true });
  const gaveUp = new Promise<string>((resolve) => s.once('give-up', resolve));
  const p = await spec('fragile');
  await s.start(p);
  p.spawned[0]!.kill('SIGKILL');
  expect(await gaveUp).toMatch(/fragile \(pid \d+\) died: signal SIGKILL; --fail-fast stops the platform/);
  expect(p.spawned).toHaveLength(1);
});

it('rejects a process that dies before it is ready, without restarting it', async () => {
  const { s } = supervisor();
  const p = await spec('broken', { CRASH_AT_START: '1' });
  await expect(s.start(p)).rejects.toThrow(/broken exited with code 1/);
  expect(p.spawned).toHaveLength(1);
});

it('stop() ends every process, a frozen one included, and cancels pending restarts', async () => {
  const { s } = supervisor({ policy: { backoffBaseMs: 5000 } });
  const a = await spec('a');
  const b = await spec('b');
  await s.start(a);
  await s.start(b);
  b.spawned[0]!.kill('SIGSTOP');
  a.spawned[0]!.kill('SIGKILL');
  await waitFor(() => a.spawned[0]!.signalCode === 'SIGKILL', { message: 'a died' });
  await s.stop(2000);
  expect(b.spawned[0]!.exitCode !== null || b.spawned[0]!.signalCode !== null).toBe(true);
  expect(a.spawned).toHaveLength(1);
});
