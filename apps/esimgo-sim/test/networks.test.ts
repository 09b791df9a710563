import { COUNTRIES } from '../src/catalogue.generator';
import type { CountryNetworks } from '../src/networks.generator';
import { startSim, type RunningSim } from './sim.fixture';

let s: RunningSim;
beforeAll(async () => {
  s = await startSim({ seed: 7 });
});
afterAll(() => s.stop());

const networks = async (qs: string): Promise<{ status: number; body: { countryNetworks?: CountryNetworks[]; message?: string } }> => {
  const res = await s.call(`/networks?${qs}`);
  return { status: res.status, body: (await res.json()) as { countryNetworks?: CountryNetworks[]; message?: string } };
};

describe('GET /networks', () => {
  it('returns every catalogue country with at least one network when returnAll=true', async () => {
    const { status, body } = await networks('returnAll=true');
    expect(status).toBe(200);
    expect(body.countryNetworks?.map((c) => c.iso).sort()).toEqual(COUNTRIES.map((c) => c.iso).sort());
    for (const c of body.countryNetworks ?? []) {
      expect(c.networks.length).toBeGreaterThan(0);
      for (const n of c.networks) {
        expect(n.mcc).toMatch(/^\d{3}$/);
        expect(n.mnc).toMatch(/^\d{2,3}$/);
        expect(n.speed.length).toBeGreaterThan(0);
      }
    }
  });

  it('filters by ISO codes and by country names, and carries real operators for the demo countries', async () => {
    const byIso = await networks('isos=FR,gb');
    expect(byIso.body.countryNetworks?.map((c) => c.iso).sort()).toEqual(['FR', 'GB']);
    const fr = byIso.body.countryNetworks?.find((c) => c.iso === 'FR');
    expect(fr?.networks.map((n) => n.name)).toEqual(['Orange', 'SFR', 'Bouygues Telecom']);
    expect(fr?.networks[0]).toMatchObject({ mcc: '208', mnc: '01', speed: ['4G', '5G'] });

    const byName = await networks('countries=United Kingdom');
    expect(byName.body.countryNetworks?.map((c) => c.iso)).toEqual(['GB']);
  });

  it('is the same for the same seed and 400 without a search', async () => {
    const a = await networks('returnAll=true');
    const again = await networks('returnAll=true');
    expect(again.body).toEqual(a.body);
    const none = await networks('');
    expect(none.status).toBe(400);
    expect(none.body.message).toMatch(/countries, isos or returnAll/);
  });
});
