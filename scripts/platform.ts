/**
 * Starts platform services as child processes (`node dist/apps/<svc>/main.js`, or the sources through tsx: see
 * `entryArgs`), one or more replicas
 * each, and waits until each answers /health/ready. A Supervisor (./supervisor) keeps them running. Shared by
 * `npm start`, the benchmarks and the drills, which need real separate processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { entryArgs, type RunMode, type ServiceEntry } from './services';
import { Supervisor, waitReady, type RestartPolicy } from './supervisor';

export { waitReady };

export interface RunningPlatform {
  /** Every process as it is now (a restarted replica has a new child); `name` is the replica's label (`order#2`). */
  readonly children: Array<{ name: string; service: string; replica: number; opsPort: number; child: ChildProcess }>;
  supervisor: Supervisor;
  stop(): Promise<void>;
}

/** Replica k of a service listens on its usual ports + REPLICA_PORT_STEP x (k - 1): order on 9102, order#2 on 9202. */
export const REPLICA_PORT_STEP = 100;

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

/** The label of replica `replica` (1-based) of a service run with `count` replicas: `order`, or `order#2`. */
export function replicaLabel(name: string, replica: number, count: number): string {
  return count > 1 ? `${name}#${replica}` : name;
}

/** A service's own environment for one replica: every numeric `*PORT` variable moved by the replica step. */
function replicaEnv(own: Record<string, string>, replica: number): Record<string, string> {
  if (replica === 1) return own;
  const moved = { ...own };
  for (const [key, value] of Object.entries(own)) {
    if (/(^|_)PORT$/.test(key) && /^\d+$/.test(value)) moved[key] = String(Number(value) + REPLICA_PORT_STEP * (replica - 1));
  }
  return moved;
}

export async function startPlatform(opts: {
  services: ServiceEntry[];
  env: NodeJS.ProcessEnv;
  /** Replicas per service name (default 1). */
  replicas?: Record<string, number>;
  /** Override of the ops port per service (benchmarks run beside a developer's `npm start`). */
  opsPort?: (service: ServiceEntry) => number;
  /** Where the children's stdout and stderr go: the terminal, nowhere, or an open file descriptor (the drills' log). */
  stdio?: 'inherit' | 'ignore' | number;
  /** Compiled bundles, TypeScript through tsx (the default) or tsx watch: see `entryArgs`. */
  mode?: RunMode;
  /** Extra Node arguments for one service, e.g. ['--cpu-prof'] to profile it under a benchmark. */
  nodeArgs?: (service: ServiceEntry) => string[];
  /**
   * Restart crashed processes (with backoff; see ./supervisor). Without it a crash is only reported, as a
   * benchmark wants: a restart would hide it.
   */
  supervise?: { failFast?: boolean; policy?: Partial<RestartPolicy>; announce?: (line: string) => void };
  /** Every crash of a process that was ready. */
  onUnexpectedExit?: (name: string, code: number | null, signal: NodeJS.Signals | null) => void;
  /** The supervisor gave up (fail-fast, or too many crashes): the caller stops the platform. */
  onGiveUp?: (reason: string) => void;
}): Promise<RunningPlatform> {
  const supervisor = new Supervisor({
    failFast: opts.supervise ? (opts.supervise.failFast ?? false) : true,
    ...(opts.supervise?.policy ? { policy: opts.supervise.policy } : {}),
    // Without supervision the caller's onUnexpectedExit reports crashes; the supervisor stays quiet.
    announce: opts.supervise ? opts.supervise.announce : () => undefined,
  });
  supervisor.on('crash', (e: { label: string; code: number | null; signal: NodeJS.Signals | null }) => opts.onUnexpectedExit?.(e.label, e.code, e.signal));
  supervisor.on('give-up', (reason: string) => opts.onGiveUp?.(reason));
  const meta = new Map<string, { service: string; replica: number; opsPort: number }>();

  try {
    for (const service of opts.services) {
      const count = opts.replicas?.[service.name] ?? 1;
      for (let replica = 1; replica <= count; replica++) {
        const opsPort = (opts.opsPort?.(service) ?? service.opsPort) + REPLICA_PORT_STEP * (replica - 1);
        const label = replicaLabel(service.name, replica, count);
        const env: NodeJS.ProcessEnv = {
          // The local platform is development (its public defaults, the printed admin) unless told otherwise; any
          // other NODE_ENV is production, where those defaults are refused.
          NODE_ENV: 'development',
          ...opts.env,
          ...replicaEnv(service.env?.(opts.env) ?? {}, replica),
          ...(opts.opsPort || replica > 1 ? { OPS_PORT: String(opsPort) } : {}),
          // A service that keeps a guarantee across replicas through Redis checks this at start.
          REPLICAS: String(count),
          REPLICA_ID: label,
        };
        meta.set(label, { service: service.name, replica, opsPort });
        await supervisor.start({
          service: service.name,
          label,
          opsPort,
          ...(service.readyPath ? { readyPath: service.readyPath } : {}),
          spawn: (): ChildProcess =>
            spawn(process.execPath, [...(opts.nodeArgs?.(service) ?? []), ...entryArgs(service, opts.mode ?? 'tsx')], {
              env,
              // The IPC channel is a lifeline: a service whose supervisor dies sees it close and stops itself.
              stdio: ['ignore', opts.stdio ?? 'inherit', opts.stdio ?? 'inherit', 'ipc'],
              // Its own process group: Ctrl-C reaches the supervisor only, which stops each service with one SIGTERM
              // (a second signal makes a service skip its graceful shutdown).
              detached: true,
            }),
        });
      }
    }
  } catch (err) {
    await supervisor.stop();
    throw err;
  }
  return {
    get children() {
      return supervisor.processes.map(({ spec, child }) => ({ name: spec.label, child, ...meta.get(spec.label)! }));
    },
    supervisor,
    stop: () => supervisor.stop(),
  };
}
