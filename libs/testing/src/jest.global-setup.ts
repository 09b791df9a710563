/**
 * Runs once before the whole suite: checks that Postgres and RabbitMQ answer, and says clearly what to start
 * when they do not. Where a Docker engine exists and no services answer, testcontainers starts them.
 */
import net from 'node:net';
import { startContainers } from './containers';

function reachable(url: string, defaultPort: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port || defaultPort), hostname);
    socket.setTimeout(2000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(false));
  });
}

export default async function globalSetup(): Promise<void> {
  const db = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const amqp = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
  const [dbUp, amqpUp] = await Promise.all([reachable(db, 5432), reachable(amqp, 5672)]);
  if (dbUp && amqpUp) return;
  const started = await startContainers({ needPostgres: !dbUp, needRabbit: !amqpUp });
  if (!started) {
    throw new Error(
      `The tests need PostgreSQL (${db}: ${dbUp ? 'up' : 'DOWN'}) and RabbitMQ (${amqp}: ${amqpUp ? 'up' : 'DOWN'}). ` +
        'Start them (see README.md, "Services"), or run `bash .ci/run`, which starts them, or run Docker for testcontainers.',
    );
  }
}
