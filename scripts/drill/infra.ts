/**
 * The drill's own PostgreSQL cluster, RabbitMQ node and Redis server, so that restarting them never touches the
 * shared servers that developers, tests and CI use. Each gets its own port and data directory under
 * `/tmp/ttelgo-drill` (recreated empty at every start):
 *
 *   PostgreSQL 15   initdb + pg_ctl (as the postgres user when run as root, which initdb refuses), port 15442
 *   RabbitMQ        a second node `ttelgo-drill@localhost` (its own config file, mnesia and log dirs), port 15682
 *   Redis           redis-server --port 16389, no persistence
 *
 * Ports stay below 32768: RabbitMQ could not bind its listener inside Linux's ephemeral port range here.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { reachable } from '../platform';

/**
 * DRILL_SLOT=1 (what `npm test`'s short drill uses) moves every server port by 1, the platform's by another 1000,
 * and the data to `/tmp/ttelgo-drill-1`: the suite never waits for, nor meets, a full `npm run drill`.
 */
export const DRILL_SLOT = process.env.DRILL_SLOT === '1' ? 1 : 0;

export const DRILL_INFRA = {
  dir: DRILL_SLOT ? `/tmp/ttelgo-drill-${DRILL_SLOT}` : '/tmp/ttelgo-drill',
  postgresPort: 15442 + DRILL_SLOT,
  amqpPort: 15682 + DRILL_SLOT,
  rabbitDistPort: 15692 + DRILL_SLOT,
  redisPort: 16389 + DRILL_SLOT,
  rabbitNode: DRILL_SLOT ? `ttelgo-drill-${DRILL_SLOT}@localhost` : 'ttelgo-drill@localhost',
};

const PG_BIN = process.env.DRILL_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface DrillInfraUrls {
  databaseUrl: string;
  amqpUrl: string;
  redisUrl: string;
}

export class DrillInfra {
  readonly urls: DrillInfraUrls = {
    databaseUrl: `postgresql://postgres@127.0.0.1:${DRILL_INFRA.postgresPort}/postgres`,
    amqpUrl: `amqp://guest:guest@127.0.0.1:${DRILL_INFRA.amqpPort}`,
    redisUrl: `redis://127.0.0.1:${DRILL_INFRA.redisPort}`,
  };
  private redis?: ChildProcess;
  private readonly asRoot = userInfo().uid === 0;
  private readonly pgDir = join(DRILL_INFRA.dir, 'pg');
  private readonly mqDir = join(DRILL_INFRA.dir, 'mq');

  async start(): Promise<void> {
    const busy = await Promise.all([
      reachable(this.urls.databaseUrl, DRILL_INFRA.postgresPort),
      reachable(this.urls.amqpUrl, DRILL_INFRA.amqpPort),
      reachable(this.urls.redisUrl, DRILL_INFRA.redisPort),
    ]);
    if (busy.some(Boolean)) throw new Error(`the drill's ports (${DRILL_INFRA.postgresPort}, ${DRILL_INFRA.amqpPort}, ${DRILL_INFRA.redisPort}) answer: is another drill running?`);
    rmSync(DRILL_INFRA.dir, { recursive: true, force: true });
    mkdirSync(DRILL_INFRA.dir, { recursive: true });
    await Promise.all([this.startPostgresCluster(), this.startRabbitNode(), this.startRedis()]);
  }

  /** `pg_ctl restart -m fast`: every connection is cut, the server is back within a second or two. */
  async restartPostgres(): Promise<void> {
    this.pgCtl(['restart', '-m', 'fast', '-w', '-l', join(DRILL_INFRA.dir, 'postgres.log')]);
  }

  /** The whole node stops (connections closed, queues on disk), then starts again. */
  async restartRabbit(): Promise<void> {
    this.rabbitmqctl(['stop']);
    await this.startRabbitProcess();
  }

  /** Messages in each dead-letter queue (`*.dlq`) of the node's default vhost. */
  deadLetters(): Record<string, number> {
    const out = this.rabbitmqctl(['list_queues', '-q', 'name', 'messages']);
    const counts: Record<string, number> = {};
    for (const line of out.split('\n')) {
      const [name, messages] = line.trim().split(/\s+/);
      if (name?.endsWith('.dlq') && /^\d+$/.test(messages ?? '')) counts[name] = Number(messages);
    }
    return counts;
  }

  async stop(): Promise<void> {
    try {
      this.rabbitmqctl(['stop']);
    } catch {
      // not running
    }
    try {
      this.pgCtl(['stop', '-m', 'immediate', '-w']);
    } catch {
      // not running
    }
    if (this.redis && this.redis.exitCode === null) {
      const exited = new Promise((resolve) => this.redis!.once('exit', resolve));
      this.redis.kill('SIGTERM');
      await exited;
    }
  }

  private async startPostgresCluster(): Promise<void> {
    mkdirSync(this.pgDir);
    if (this.asRoot) chownSync(DRILL_INFRA.dir, this.uidOf('postgres'), this.gidOf('postgres'));
    if (this.asRoot) chownSync(this.pgDir, this.uidOf('postgres'), this.gidOf('postgres'));
    this.asPostgres(join(PG_BIN, 'initdb'), ['-D', this.pgDir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    // fsync off: the drills restart the server cleanly (pg_ctl -m fast), they do not crash the machine.
    writeFileSync(
      join(this.pgDir, 'postgresql.auto.conf'),
      [`port = ${DRILL_INFRA.postgresPort}`, "listen_addresses = '127.0.0.1'", `unix_socket_directories = '${this.pgDir}'`, 'max_connections = 300', 'fsync = off', 'shared_buffers = 64MB'].join('\n') + '\n',
    );
    this.pgCtl(['start', '-w', '-l', join(DRILL_INFRA.dir, 'postgres.log')]);
  }

  private async startRabbitNode(): Promise<void> {
    mkdirSync(join(this.mqDir, 'mnesia'), { recursive: true });
    mkdirSync(join(this.mqDir, 'log'), { recursive: true });
    writeFileSync(join(this.mqDir, 'rabbitmq.conf'), `listeners.tcp.local = 127.0.0.1:${DRILL_INFRA.amqpPort}\nloopback_users = none\n`);
    writeFileSync(join(this.mqDir, 'enabled_plugins'), '[].\n');
    if (this.asRoot) execFileSync('chown', ['-R', 'rabbitmq', this.mqDir]);
    await this.startRabbitProcess();
  }

  private async startRabbitProcess(): Promise<void> {
    execFileSync('rabbitmq-server', ['-detached'], { env: this.rabbitEnv(), stdio: 'ignore' });
    // await_startup fails while the node is still registering with epmd: retry until it answers.
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        this.rabbitmqctl(['await_startup', '--timeout', '60']);
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`RabbitMQ node ${DRILL_INFRA.rabbitNode} did not start (logs in ${this.mqDir}/log): ${(err as Error).message}`);
        await sleep(1000);
      }
    }
  }

  private async startRedis(): Promise<void> {
    this.redis = spawn('redis-server', ['--port', String(DRILL_INFRA.redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', DRILL_INFRA.dir], {
      stdio: 'ignore',
    });
    const deadline = Date.now() + 10_000;
    while (!(await reachable(this.urls.redisUrl, DRILL_INFRA.redisPort))) {
      if (this.redis.exitCode !== null || Date.now() > deadline) throw new Error('redis-server did not start');
      await sleep(100);
    }
  }

  private rabbitEnv(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      RABBITMQ_NODENAME: DRILL_INFRA.rabbitNode,
      RABBITMQ_CONFIG_FILE: join(this.mqDir, 'rabbitmq.conf'),
      RABBITMQ_DIST_PORT: String(DRILL_INFRA.rabbitDistPort),
      RABBITMQ_MNESIA_BASE: join(this.mqDir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(this.mqDir, 'log'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(this.mqDir, 'enabled_plugins'),
    };
  }

  /**
   * The CLI runs as an Erlang node of its own: it gets none of the server's variables (with RABBITMQ_DIST_PORT it
   * would try to listen on the server's distribution port, and fail with "nodistribution"). A CLI node can still
   * fail to start while other suites run rabbitmqctl at the same moment: tried three times.
   */
  private rabbitmqctl(args: string[]): string {
    for (let attempt = 1; ; attempt++) {
      try {
        return execFileSync('rabbitmqctl', ['-n', DRILL_INFRA.rabbitNode, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (err) {
        if (attempt >= 3 || !/nodistribution|Distribution failed/.test(String((err as { stderr?: string }).stderr ?? (err as Error).message))) throw err;
      }
    }
  }

  private pgCtl(args: string[]): void {
    if (!existsSync(this.pgDir)) throw new Error('no drill Postgres cluster');
    this.asPostgres(join(PG_BIN, 'pg_ctl'), ['-D', this.pgDir, ...args]);
  }

  private asPostgres(bin: string, args: string[]): void {
    if (this.asRoot) execFileSync('runuser', ['-u', 'postgres', '--', bin, ...args], { stdio: 'ignore' });
    else execFileSync(bin, args, { stdio: 'ignore' });
  }

  private uidOf(user: string): number {
    return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  }

  private gidOf(user: string): number {
    return Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
  }
}
