import { randomUUID } from 'node:crypto';
import { PrismaInboxStore } from '../src';
import { createFixtureDb, type FixtureDb, type FixturePrisma } from './fixture/fixture-db';
import { sleep } from './helpers';

let db: FixtureDb;
let inbox: PrismaInboxStore;

beforeAll(async () => {
  db = await createFixtureDb({ prefix: 'dbinbox' });
  inbox = new PrismaInboxStore(db.prisma);
});
afterAll(async () => {
  await db.dispose();
});

/** A handler effect written through the transaction client the inbox passes in. */
function recordEffect(messageId: string, note: string) {
  return async (tx: unknown) => {
    await (tx as FixturePrisma).effect.create({ data: { id: randomUUID(), messageId, note } });
  };
}

const effects = (messageId: string) => db.prisma.effect.findMany({ where: { messageId }, orderBy: { note: 'asc' } });
const inboxRows = (messageId: string) => db.prisma.inboxMessage.findMany({ where: { messageId }, orderBy: { handler: 'asc' } });

describe('PrismaInboxStore', () => {
  it('runs the handler once per (messageId, handler); the second delivery is a duplicate', async () => {
    const id = randomUUID();
    expect(await inbox.runOnce(id, 'billing.on-order-placed', recordEffect(id, 'first'))).toBe('processed');
    expect(await inbox.runOnce(id, 'billing.on-order-placed', recordEffect(id, 'second'))).toBe('duplicate');
    expect((await effects(id)).map((e) => e.note)).toEqual(['first']);
    expect((await inboxRows(id)).map((r) => r.handler)).toEqual(['billing.on-order-placed']);
  });

  it('rolls the inbox row back with the effects when the handler throws, so a retry runs it again', async () => {
    const id = randomUUID();
    const failing = async (tx: unknown) => {
      await recordEffect(id, 'half-done')(tx);
      throw new Error('provider timeout');
    };
    await expect(inbox.runOnce(id, 'esim.provision', failing)).rejects.toThrow('provider timeout');
    expect(await effects(id)).toEqual([]);
    expect(await inboxRows(id)).toEqual([]);
    expect(await inbox.runOnce(id, 'esim.provision', recordEffect(id, 'retried'))).toBe('processed');
    expect((await effects(id)).map((e) => e.note)).toEqual(['retried']);
  });

  it('treats another handler of the same message as a separate consumer', async () => {
    const id = randomUUID();
    expect(await inbox.runOnce(id, 'notify.on-paid', recordEffect(id, 'a-notify'))).toBe('processed');
    expect(await inbox.runOnce(id, 'ledger.on-paid', recordEffect(id, 'b-ledger'))).toBe('processed');
    expect((await effects(id)).map((e) => e.note)).toEqual(['a-notify', 'b-ledger']);
    expect((await inboxRows(id)).map((r) => r.handler)).toEqual(['ledger.on-paid', 'notify.on-paid']);
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
  });
});
