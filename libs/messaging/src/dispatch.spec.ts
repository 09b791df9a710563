import { z } from 'zod';
import { createEnvelope, defineEvent } from '@ttelgo/contracts';
import { dispatchByType, route } from './dispatch';

const A = defineEvent('dispatchtest.a-happened.v1', z.object({ n: z.number() }));
const B = defineEvent('dispatchtest.b-happened.v1', z.object({ s: z.string() }));
const meta = { producer: 'test', correlationId: 'c-1' };

describe('dispatchByType', () => {
  it('binds every routed contract and hands each message, typed, to its own handler with the transaction', async () => {
    const seen: string[] = [];
    const { contracts, handle } = dispatchByType([
      route(A, async (data, tx, envelope) => void seen.push(`A ${data.n} ${String(tx)} ${envelope.type}`)),
      route(B, async (data, tx) => void seen.push(`B ${data.s} ${String(tx)}`)),
    ]);
    expect(contracts.map((c) => c.name)).toEqual([A.name, B.name]);
    await handle(createEnvelope(B, { s: 'x' }, meta), 'tx-1');
    await handle(createEnvelope(A, { n: 7 }, meta), 'tx-2');
    expect(seen).toEqual(['B x tx-1', `A 7 tx-2 ${A.name}`]);
  });

  it('refuses two handlers for one type, and a type it has no route for', async () => {
    expect(() => dispatchByType([route(A, async () => undefined), route(A, async () => undefined)])).toThrow(/two handlers/);
    const { handle } = dispatchByType([route(A, async () => undefined)]);
    await expect(handle(createEnvelope(B, { s: 'x' }, meta), undefined)).rejects.toThrow(/no handler for dispatchtest.b-happened.v1/);
  });
});
