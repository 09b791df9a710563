/**
 * eSIM Go's country network data (v2.4 `GET /networks?returnAll=true`): the mobile networks an eSIM uses in each
 * country, mapped to domain networks by ISO code. Read tolerantly like the catalogue: an entry without an ISO code
 * or a network without MCC/MNC is skipped (and logged), never fatal; eSIM Go's `speed` becomes our `speeds`.
 */
import { z } from 'zod';
import type { Network } from '@ttelgo/contracts';
import type { Logger } from '@ttelgo/observability';
import type { EsimGoClient } from './esimgo.client';

export interface NetworkSource {
  /** ISO code -> the country's networks. */
  countryNetworks(): Promise<Map<string, Network[]>>;
}

const EsimGoNetworkDto = z.object({
  name: z.string().trim().min(1),
  brandName: z.string().nullish(),
  mcc: z.union([z.string(), z.number()]).transform(String),
  mnc: z.union([z.string(), z.number()]).transform(String),
  tagid: z.string().nullish(),
  speed: z.union([z.array(z.string()), z.string()]).nullish(),
});

const EsimGoCountryNetworksDto = z.object({
  name: z.string().nullish(),
  iso: z.string().nullish(),
  networks: z.array(z.unknown()).nullish(),
});

/** `{ countryNetworks: [...] }`; a bare array is tolerated as the catalogue's is. */
const EsimGoNetworksAnswerDto = z.union([
  z.array(z.unknown()),
  z.object({ countryNetworks: z.array(z.unknown()).nullish() }),
]);

export class EsimGoNetworksGateway implements NetworkSource {
  constructor(
    private readonly client: EsimGoClient,
    private readonly opts: { logger: Logger },
  ) {}

  async countryNetworks(): Promise<Map<string, Network[]>> {
    const answer = await this.client.get('networks.list', '/networks', { returnAll: 'true' }, EsimGoNetworksAnswerDto);
    const raw = Array.isArray(answer) ? answer : (answer.countryNetworks ?? []);
    const byIso = new Map<string, Network[]>();
    let skipped = 0;
    for (const item of raw) {
      const country = EsimGoCountryNetworksDto.safeParse(item);
      const iso = country.success ? country.data.iso?.trim().toUpperCase() : undefined;
      if (!country.success || !iso || !/^[A-Z]{2}$/.test(iso)) {
        skipped += 1;
        continue;
      }
      const networks: Network[] = [];
      for (const n of country.data.networks ?? []) {
        const parsed = EsimGoNetworkDto.safeParse(n);
        if (!parsed.success || !/^\d{3}$/.test(parsed.data.mcc) || !/^\d{2,3}$/.test(parsed.data.mnc)) {
          skipped += 1;
          continue;
        }
        const speed = parsed.data.speed == null ? [] : Array.isArray(parsed.data.speed) ? parsed.data.speed : [parsed.data.speed];
        networks.push({
          name: parsed.data.name,
          brandName: parsed.data.brandName?.trim() || parsed.data.name,
          mcc: parsed.data.mcc,
          mnc: parsed.data.mnc,
          speeds: [...new Set(speed.map((s) => s.trim()).filter((s) => s.length > 0))].sort(),
        });
      }
      byIso.set(iso, [...(byIso.get(iso) ?? []), ...networks]);
    }
    if (skipped > 0) this.opts.logger.warn({ skipped }, 'eSIM Go network data has entries without ISO code or MCC/MNC; skipped');
    return byIso;
  }
}
