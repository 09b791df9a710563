/**
 * GET /catalogue and GET /catalogue/bundle/{name}. The envelope is `{ bundles, pageCount, rows, pageSize }`:
 * SPEC24 declares a bare array but live clients read `data.bundles`; the paging keys are our reading [I].
 */
import { Router } from 'express';
import type { CatalogueBundle } from './catalogue.generator';
import { SimError, paginate, paramOf, q1, qAll, qInt, qPageSize, servedPageSize } from './http.util';
import type { SimState } from './state';

export const CATALOGUE_DEFAULT_PER_PAGE = 50;

const ORDERABLE: Record<string, (b: CatalogueBundle) => string | number> = {
  name: (b) => b.name,
  description: (b) => b.description,
  price: (b) => b.price,
  dataAmount: (b) => b.dataAmount,
  duration: (b) => b.duration,
};

function wildcard(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/%/g, '.*');
  return new RegExp(escaped, 'i');
}

export function filterCatalogue(state: SimState, query: Record<string, unknown>): CatalogueBundle[] {
  let list = state.catalogue;
  const countries = qAll(query.countries).map((c) => c.toUpperCase());
  if (countries.length > 0) list = list.filter((b) => b.countries.some((c) => countries.includes(c.iso)));
  const region = q1(query.region)?.toLowerCase();
  // A bundle belongs to a region when all of its countries are in it (local and regional bundles; not global).
  if (region) list = list.filter((b) => b.countries.every((c) => c.region.toLowerCase() === region));
  const group = q1(query.group);
  if (group) list = list.filter((b) => b.groups.includes(group));
  const description = q1(query.description);
  if (description) {
    const re = wildcard(description);
    list = list.filter((b) => re.test(b.description));
  }
  const orderBy = q1(query.orderBy);
  const desc = q1(query.direction)?.toLowerCase() === 'desc';
  if (orderBy) {
    const key = ORDERABLE[orderBy];
    if (!key) throw new SimError(400, `Invalid orderBy: ${orderBy}`);
    list = [...list].sort((a, b) => {
      const x = key(a);
      const y = key(b);
      const c = x < y ? -1 : x > y ? 1 : a.name.localeCompare(b.name);
      return desc ? -c : c;
    });
  } else if (desc) {
    list = [...list].reverse();
  }
  return list;
}

export function catalogueRoutes(state: SimState): Router {
  const r = Router();
  r.get('/catalogue', (req, res) => {
    const list = filterCatalogue(state, req.query as Record<string, unknown>);
    const perPage = servedPageSize(qPageSize(req.query.perPage, 'perPage', CATALOGUE_DEFAULT_PER_PAGE), state.faults.pageSizeCap);
    // Clients start at page 0 or 1; both mean the first page.
    const page = qInt(req.query.page, 1, 0, 1_000_000) || 1;
    res.json({
      bundles: paginate(list, page, perPage),
      pageCount: Math.ceil(list.length / perPage),
      rows: list.length,
      pageSize: perPage,
    });
  });
  r.get('/catalogue/bundle/:name', (req, res) => {
    const b = state.bundlesByName.get(paramOf(req, 'name'));
    if (!b) throw new SimError(404, 'Bundle not found');
    const { groups: _groups, ...detail } = b;
    res.json(detail);
  });
  return r;
}
