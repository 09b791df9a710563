import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { RABBITMQCTL, TEST_AMQP_URL } from './env';
import { uniqueName } from './names';

const exec = promisify(execFile);

async function rabbitmqctl(...args: string[]): Promise<string> {
  const [cmd, ...prefix] = RABBITMQCTL.split(' ');
  const { stdout } = await exec(cmd as string, [...prefix, ...args], { timeout: 30_000 });
  return stdout;
}

export interface TestVhost {
  vhost: string;
  /** AMQP URL of the vhost, for the code under test. */
  url: string;
  /** Closes every client connection of this vhost only, as a broker restart would: other test files are untouched. */
  closeConnections(): Promise<void>;
  /** Message count of a queue in this vhost (`rabbitmqctl list_queues`). */
  queueDepth(queue: string): Promise<number>;
  dispose(): Promise<void>;
}

/** A fresh RabbitMQ vhost for one test file, so parallel test files never see each other's messages. */
export async function createTestVhost(prefix = 'ttelgo'): Promise<TestVhost> {
  const vhost = uniqueName(prefix);
  await rabbitmqctl('add_vhost', vhost);
  await rabbitmqctl('set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*');
  const base = new URL(TEST_AMQP_URL);
  base.pathname = `/${encodeURIComponent(vhost)}`;
  return {
    vhost,
    url: base.toString(),
    closeConnections: async () => {
      await rabbitmqctl('close_all_connections', '-p', vhost, 'test: simulated broker loss');
    },
    queueDepth: async (queue) => {
      const out = await rabbitmqctl('list_queues', '-p', vhost, '--quiet', '--no-table-headers', 'name', 'messages');
      for (const line of out.split('\n')) {
        const [name, count] = line.trim().split(/\s+/);
        if (name === queue) return Number(count);
      }
      throw new Error(`queue ${queue} not found in vhost ${vhost}`);
    },
    dispose: async () => {
      await rabbitmqctl('delete_vhost', vhost).catch(() => undefined);
    },
  };
}
