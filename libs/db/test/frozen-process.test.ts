/**
 * The crash this guards against: a service frozen (a long GC pause, a stalled node; here SIGSTOP) while its
 * database connections die, which on resume reads the server's goodbye and the closed sockets in one go while its
 * clients are checked out with statements in flight. It must fail that work and carry on, not exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { TcpProxy, waitFor } from '@ttelgo/testing';
import { createFixtureDb, type FixtureDb } from './fixture/fixture-db';

let db: FixtureDb;
let proxy: TcpProxy;
let worker: ChildProcess | undefined;

beforeAll(async () => {
  db = await createFixtureDb({ prefix: 'dbfrozen' });
  const url = new URL(db.databaseUrl);
  proxy = new TcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
  await proxy.start();
});
afterAll(async () => {
  if (worker && worker.exitCode === null) {
    worker.kill('SIGCONT');
    worker.kill('SIGKILL');
  }
  await proxy.stop();
  await db.dispose();
});

it('a process frozen while its connections die carries on when it resumes', async () => {
  const url = new URL(db.databaseUrl);
  url.port = String(proxy.port);
  worker = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixture/pg-load.worker.ts'), url.toString(), db.schema], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  worker.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done: Record<string, number> = {};
  createInterface({ input: worker.stdout! }).on('line', (line) => {
    const event = JSON.parse(line) as { ok?: string };
    if (event.ok) done[event.ok] = (done[event.ok] ?? 0) + 1;
  });
  const exited = new Promise<number | null>((resolve) => worker!.once('exit', (code) => resolve(code)));
  const every = () => ['transaction', 'prisma', 'job'].every((name) => (done[name] ?? 0) >= 2);
  await waitFor(every, { timeoutMs: 30_000, message: 'the worker does work' });

  worker.kill('SIGSTOP');
  proxy.cut();
  // Every connection is gone from the server's side before the process runs again.
  await waitFor(() => proxy.connections === 0, { message: 'the proxy dropped every connection' });
  proxy.restore();
  for (const name of Object.keys(done)) done[name] = 0;
  worker.kill('SIGCONT');

  const outcome = await Promise.race([
    waitFor(every, { timeoutMs: 20_000, message: 'the worker works again after resuming' }).then(() => 'working'),
    exited.then((code) => `exited with code ${code}: ${stderr.slice(-2000)}`),
  ]);
  expect(outcome).toBe('working');
  expect(worker.exitCode).toBeNull();
});
