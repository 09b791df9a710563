import { randomUUID } from 'node:crypto';
import { defineEvent } from '@ttelgo/contracts';
import { z } from 'zod';
import { PgInboxStore, PgTransactions, enqueue, type SqlTx } from '../src';
import { createFixtureDb, type FixtureDb } from './fixture/fixture-db';
import { sleep } from './helpers';

const Noted = defineEvent('test.noted.v1', z.object({ note: z.string(), tags: z.array(z.string()) }));

let db: FixtureDb;
let sql: PgTransactions;
let inbox: PgInboxStore;

beforeAll(async () => {
  db = await createFixtureDb({ prefix: 'dbpgtx' });
  sql = new PgTransactions({ databaseUrl: db.databaseUrl, schema: db.schema, poolMax: 4 });
  inbox = new PgInboxStore(sql, db.schema);
});
afterAll(async () => {
  await sql.end();
  await db.dispose();
});

/** A handler effect and one outbox message, written through the transaction the inbox passes in. */
function recordEffect(messageId: string, note: string) {
  return async (raw: unknown) => {
    const tx = raw as SqlTx;
    await tx.query(`INSERT INTO "${db.schema}"."effect" ("id", "message_id", "note") VALUES ($1, $2, $3)`, [randomUUID(), messageId, note]);
    await enqueue(tx, Noted, { note, tags: [messageId] }, { producer: 'test', correlationId: messageId });
  };
}

const effects = (messageId: string) => db.prisma.effect.findMany({ where: { messageId }, orderBy: { note: 'asc' } });
const inboxRows = (messageId: string) => db.prisma.inboxMessage.findMany({ where: { messageId }, orderBy: { handler: 'asc' } });
const outboxFor = async (messageId: string) =>
  (await db.prisma.outboxMessage.findMany({ where: { type: Noted.name } })).filter((m) => (m.payload as { correlationId?: string }).correlationId === messageId);

describe('PgTransactions + PgInboxStore', () => {
  it('commits the inbox row, the effects and the outbox rows together; the second delivery is a duplicate', async () => {
    const id = randomUUID();
    expect(await inbox.runOnce(id, 'h', recordEffect(id, 'first'))).toBe('processed');
    expect(await inbox.runOnce(id, 'h', recordEffect(id, 'second'))).toBe('duplicate');
    expect((await effects(id)).map((e) => e.note)).toEqual(['first']);
    expect((await inboxRows(id)).map((r) => r.handler)).toEqual(['h']);
    const outbox = await outboxFor(id);
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ type: 'test.noted.v1', sentAt: null, headers: expect.objectContaining({ 'x-correlation-id': id }) });
    expect((outbox[0]!.payload as { data: unknown }).data).toEqual({ note: 'first', tags: [id] });
  });

  it('rolls everything back (inbox row, effects, enqueued messages) when the handler throws, so a retry runs it again', async () => {
    const id = randomUUID();
    const failing = async (tx: unknown) => {
      await recordEffect(id, 'half-done')(tx);
      throw new Error('provider timeout');
    };
    await expect(inbox.runOnce(id, 'h', failing)).rejects.toThrow('provider timeout');
    expect(await effects(id)).toEqual([]);
    expect(await inboxRows(id)).toEqual([]);
    expect(await outboxFor(id)).toEqual([]);
    expect(await inbox.runOnce(id, 'h', recordEffect(id, 'retried'))).toBe('processed');
    expect((await effects(id)).map((e) => e.note)).toEqual(['retried']);
    expect(await outboxFor(id)).toHaveLength(1);
  });

  it('lets only one of two concurrent deliveries of the same message run the handler', async () => {
    const id = randomUUID();
    const slow = (note: string) => async (tx: unknown) => {
      await recordEffect(id, note)(tx);
      await sleep(300);
    };
    const outcomes = await Promise.all([inbox.runOnce(id, 'h', slow('one')), inbox.runOnce(id, 'h', slow('two'))]);
    expect(outcomes.sort()).toEqual(['duplicate', 'processed']);
    expect(await effects(id)).toHaveLength(1);
    expect(await outboxFor(id)).toHaveLength(1);
  });

  it('writes several enqueued messages of one transaction, and JSON and array parameters as they are', async () => {
    const id = randomUUID();
    await sql.transaction(async (tx) => {
      await enqueue(tx, Noted, { note: 'a "quoted" \\ note', tags: ['x'] }, { producer: 'test', correlationId: id });
      await enqueue(tx, Noted, { note: 'b', tags: [] }, { producer: 'test', correlationId: id });
      const { rows } = await tx.query<{ j: unknown; n: number }>('SELECT $1::jsonb AS j, array_length($2::int[], 1) AS n', [[{ a: 1 }], '{1,2,3}']);
      expect(rows[0]).toEqual({ j: [{ a: 1 }], n: 3 });
    });
    const notes = (await outboxFor(id)).map((m) => (m.payload as { data: { note: string } }).data.note).sort();
    expect(notes).toEqual(['a "quoted" \\ note', 'b']);
  });
});
