import { z } from 'zod';
import { ContractViolationError, createEnvelope, defineEvent, parseEnvelope } from './define';
import { routeFor } from './routing';
import { ListBundlesV1 } from './esim';

const Thing = defineEvent('demo.thing-happened.v1', z.object({ id: z.string(), nested: z.object({ n: z.number() }) }));

describe('contracts', () => {
  it('derives owner and version from the name and refuses a bad name', () => {
    expect(Thing.owner).toBe('demo');
    expect(Thing.version).toBe(1);
    expect(() => defineEvent('NoVersion', z.object({}))).toThrow(/invalid message name/);
  });

  it('publishes strictly: an undeclared field at any depth is refused', () => {
    const meta = { producer: 'demo', correlationId: 'c-1' };
    expect(() => createEnvelope(Thing, { id: 'a', nested: { n: 1, extra: 2 } } as never, meta)).toThrow(ContractViolationError);
    const env = createEnvelope(Thing, { id: 'a', nested: { n: 1 } }, meta);
    expect(env).toMatchObject({ type: 'demo.thing-happened.v1', producer: 'demo', correlationId: 'c-1', data: { id: 'a' } });
  });

  it('consumes tolerantly: unknown fields are dropped, missing ones refused', () => {
    const env = createEnvelope(Thing, { id: 'a', nested: { n: 1 } }, { producer: 'demo', correlationId: 'c' });
    const withExtra = { ...env, data: { ...env.data, future: true, nested: { n: 1, later: 'x' } } };
    const parsed = parseEnvelope(Thing, withExtra);
    expect(parsed.ok && parsed.envelope.data).toEqual({ id: 'a', nested: { n: 1 } });
    const missing = parseEnvelope(Thing, { ...env, data: { nested: { n: 1 } } });
    expect(missing.ok).toBe(false);
  });

  it('routes events to the producer exchange and RPCs to the owner queue', () => {
    expect(routeFor(Thing)).toEqual({ exchange: 'ttelgo.events.demo', routingKey: 'demo.thing-happened.v1' });
    expect(routeFor(ListBundlesV1)).toEqual({ exchange: '', routingKey: 'ttelgo.rpc.esim' });
  });
});
