/**
 * Starts platform services as child processes (`node --import tsx apps/<svc>/src/main.ts`) and waits until each
 * answers /health/ready. Shared by `npm start` and the benchmarks, which need real separate processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import type { ServiceEntry } from './services';

export interface RunningPlatform {
  children: Array<{ name: string; child: ChildProcess }>;
  stop(): Promise<void>;
}

export function reachable(url: string, defaultPort: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port || defaultPort), hostname);
    socket.setTimeout(2000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
  });
}

export async function waitReady(name: string, port: number, child: ChildProcess, timeoutMs = 60_000, path = '/health/ready'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} (see its log lines above)`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} was not ready on :${port}${path} within ${timeoutMs / 1000} s`);
}

export async function startPlatform(opts: {
  services: ServiceEntry[];
  env: NodeJS.ProcessEnv;
  /** Override of the ops port per service (benchmarks run beside a developer's `npm start`). */
  opsPort?: (service: ServiceEntry) => number;
  stdio?: 'inherit' | 'ignore';
  /** Extra Node arguments for one service, e.g. ['--cpu-prof'] to profile it under a benchmark. */
  nodeArgs?: (service: ServiceEntry) => string[];
  onUnexpectedExit?: (name: string, code: number | null, signal: NodeJS.Signals | null) => void;
}): Promise<RunningPlatform> {
  const children: RunningPlatform['children'] = [];
  let stopping = false;
  const stop = async () => {
    stopping = true;
    for (const { child } of children) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(
      children.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
            child.once('exit', () => (clearTimeout(kill), resolve()));
          }),
      ),
    );
  };
  try {
    for (const service of opts.services) {
      const opsPort = opts.opsPort?.(service) ?? service.opsPort;
      const child = spawn(process.execPath, [...(opts.nodeArgs?.(service) ?? []), '--import', 'tsx', service.main], {
        env: { ...opts.env, ...(service.env?.(opts.env) ?? {}), ...(opts.opsPort ? { OPS_PORT: String(opsPort) } : {}) },
        // The IPC channel is a lifeline: a service whose supervisor dies sees it close and stops itself.
        stdio: ['ignore', opts.stdio ?? 'inherit', opts.stdio ?? 'inherit', 'ipc'],
      });
      children.push({ name: service.name, child });
      child.once('exit', (code, signal) => {
        if (!stopping) opts.onUnexpectedExit?.(service.name, code, signal);
      });
      await waitReady(service.name, opsPort, child, 60_000, service.readyPath);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { children, stop };
}
