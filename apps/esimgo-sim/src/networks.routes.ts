/**
 * GET /networks (eSIM Go v2.4 "Get Country Network Data"): the networks of the countries asked for by name
 * (`countries=United Kingdom,France`) or ISO code (`isos=GB,FR`), or of every country with `returnAll=true`.
 * The answer is `{ countryNetworks: [{ name, iso, networks: [{ name, brandName, mcc, mnc, tagid, speed }] }] }`.
 * Asking for nothing is a 400, as eSIM Go answers a request without a search.
 */
import { Router } from 'express';
import { SimError, qAll, qBool } from './http.util';
import type { SimState } from './state';

export function networksRoutes(state: SimState): Router {
  const r = Router();
  r.get('/networks', (req, res) => {
    const isos = qAll(req.query.isos).map((c) => c.toUpperCase());
    const names = qAll(req.query.countries).map((c) => c.toLowerCase());
    const all = qBool(req.query.returnAll);
    if (!all && isos.length === 0 && names.length === 0) {
      throw new SimError(400, 'Provide countries, isos or returnAll=true');
    }
    const countryNetworks = all
      ? state.countryNetworks
      : state.countryNetworks.filter((c) => isos.includes(c.iso) || names.includes(c.name.toLowerCase()));
    res.json({ countryNetworks });
  });
  return r;
}
