import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { TEST_DATABASE_URL, boundTo, createTestSchemaName, dropSchema, waitForOutboxObserved } from '../src';

const schema = createTestSchemaName('testkit');
const db = new pg.Client({ connectionString: TEST_DATABASE_URL });

beforeAll(async () => {
  await db.connect();
  await db.query(`CREATE SCHEMA "${schema}";
    CREATE TABLE "${schema}".outbox (id uuid PRIMARY KEY, exchange text NOT NULL, routing_key text NOT NULL, sent_at timestamptz)`);
});

afterAll(async () => {
  await db.end();
  await dropSchema(TEST_DATABASE_URL, schema);
});

async function row(exchange: string, routingKey: string, sent: boolean): Promise<string> {
  const id = randomUUID();
  await db.query(`INSERT INTO "${schema}".outbox VALUES ($1, $2, $3, ${sent ? 'now()' : 'NULL'})`, [id, exchange, routingKey]);
  return id;
}

describe('waitForOutboxObserved', () => {
  it('resolves once every sent row on an observed route was seen, and only then', async () => {
    const seen = new Set<string>();
    const event = await row('ttelgo.events.order', 'order.completed.v1', true);
    await row('ttelgo.commands.elsewhere', 'x.y.v1', true); // a route the observer is not bound to
    const routes = boundTo([['ttelgo.events.order', '#']]);
    setTimeout(() => seen.add(event), 200);
    const started = Date.now();
    await waitForOutboxObserved({ db, schema, observed: (id) => seen.has(id), routes, timeoutMs: 5000 });
    expect(seen.has(event)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('fails, naming what is missing, while a row is unsent or a sent row was never observed', async () => {
    const unsent = await row('ttelgo.events.order', 'order.failed.v1', false);
    await expect(waitForOutboxObserved({ db, schema, observed: () => true, timeoutMs: 300 })).rejects.toThrow(/1 row\(s\) never sent, 0 sent but never observed/);
    await db.query(`UPDATE "${schema}".outbox SET sent_at = now() WHERE id = $1`, [unsent]);
    await expect(waitForOutboxObserved({ db, schema, observed: (id) => id !== unsent, timeoutMs: 300 })).rejects.toThrow(
      new RegExp(`0 row\\(s\\) never sent, 1 sent but never observed \\(${unsent}\\)`),
    );
  });
});

describe('boundTo', () => {
  it('matches exchanges and topic patterns as the broker routes them', () => {
    const routes = boundTo([
      ['ttelgo.events.order', '#'],
      ['ttelgo.commands.esim', 'esim.provision.v1'],
      ['ttelgo.events.esim', 'esim.*.v1'],
    ]);
    expect(routes('ttelgo.events.order', 'order.completed.v1')).toBe(true);
    expect(routes('ttelgo.commands.esim', 'esim.provision.v1')).toBe(true);
    expect(routes('ttelgo.commands.esim', 'esim.apply-bundle.v1')).toBe(false);
    expect(routes('ttelgo.events.esim', 'esim.provisioned.v1')).toBe(true);
    expect(routes('ttelgo.events.esim', 'esim.catalogue.updated.v1')).toBe(false);
    expect(routes('ttelgo.events.payment', 'order.completed.v1')).toBe(false);
  });
});
