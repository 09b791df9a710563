import { API_KEY, startSim, type RunningSim } from './sim.fixture';

describe('auth', () => {
  let s: RunningSim;
  beforeAll(async () => {
    s = await startSim();
  });
  afterAll(() => s.stop());

  it('refuses a missing or wrong key with 403 {message}', async () => {
    const none = await fetch(`${s.api}/organisation`);
    expect(none.status).toBe(403);
    expect(await none.json()).toEqual({ message: 'Unauthorised' });
    const wrong = await fetch(`${s.api}/organisation`, { headers: { 'X-API-Key': 'nope' } });
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toEqual({ message: 'Unauthorised' });
  });

  it('accepts the key under any header-name casing', async () => {
    for (const name of ['X-API-Key', 'X-API-KEY', 'x-api-key']) {
      const res = await fetch(`${s.api}/organisation`, { headers: { [name]: API_KEY } });
      expect(res.status).toBe(200);
      const org = (await res.json()) as { balance: number; currency: string };
      expect(org.balance).toBe(10000);
      expect(org.currency).toBe('USD');
    }
  });

  it('needs no key for the control API and health', async () => {
    expect((await s.control('/state')).status).toBe(200);
    expect((await fetch(`${s.origin}/health/live`)).status).toBe(200);
  });

  it('answers unknown API paths with 404 {message}', async () => {
    const res = await s.call('/nothing-here');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: 'Not Found' });
  });
});

describe('rate limit', () => {
  let s: RunningSim;
  // A clock the test moves, so "one second" does not depend on how busy the machine is.
  let clock = Date.parse('2026-01-01T00:00:00Z');
  beforeAll(async () => {
    s = await startSim({ rateLimitPerSecond: 10, now: () => clock });
  });
  afterAll(() => s.stop());

  it('answers 429 with Retry-After above 10 requests per second, and recovers in the next second', async () => {
    const responses = await Promise.all(Array.from({ length: 15 }, () => s.call('/organisation')));
    const limited = responses.filter((r) => r.status === 429);
    expect(responses.filter((r) => r.status === 200)).toHaveLength(10);
    expect(limited).toHaveLength(5);
    expect(limited[0]!.headers.get('retry-after')).toBe('1');
    expect(await limited[0]!.json()).toEqual({ message: 'Too Many Requests' });
    await Promise.all(responses.map((r) => (r.bodyUsed ? undefined : r.body?.cancel())));
    clock += 1000;
    expect((await s.call('/organisation')).status).toBe(200);
  });

  it('can be switched off through the control API', async () => {
    clock += 1000;
    await s.control('/faults', { rateLimitPerSecond: 0 });
    const responses = await Promise.all(Array.from({ length: 30 }, () => s.call('/organisation')));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    await Promise.all(responses.map((r) => r.body?.cancel()));
  });
});
