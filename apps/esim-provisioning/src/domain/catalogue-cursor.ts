/**
 * Opaque keyset cursor for catalogue pages: base64url of `{ after, f }`, where `after` is the last bundle name
 * of the previous page and `f` a short hash of the filters that produced it. Replaying a cursor with other
 * filters would silently skip or repeat bundles, so it is refused (INVALID_CURSOR) instead. The hash is not a
 * security measure: a cursor is not a secret and grants nothing.
 */
import { invalidCursor } from './catalogue.errors';

export interface CatalogueFilters {
  country?: string | undefined;
  region?: string | undefined;
}

/** Filters compare case-insensitively and ignore surrounding blanks, as the listing itself does. */
export function normaliseFilters(filters: CatalogueFilters): { country?: string; region?: string } {
  const country = filters.country?.trim().toUpperCase();
  const region = filters.region?.trim().toLowerCase();
  return { ...(country ? { country } : {}), ...(region ? { region } : {}) };
}

/** FNV-1a, 32 bit: tiny and dependency-free, plenty to tell filter sets apart. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}

export function filtersHash(filters: CatalogueFilters): string {
  const f = normaliseFilters(filters);
  return fnv1a(`${f.country ?? ''}|${f.region ?? ''}`);
}

export function encodeCursor(after: string, filters: CatalogueFilters): string {
  return Buffer.from(JSON.stringify({ after, f: filtersHash(filters) }), 'utf8').toString('base64url');
}

/** The name to continue after; throws INVALID_CURSOR when the cursor is malformed or belongs to other filters. */
export function decodeCursor(cursor: string, filters: CatalogueFilters): string {
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(cursor)) throw invalidCursor('not a cursor returned by this API');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor('not a cursor returned by this API');
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalidCursor('not a cursor returned by this API');
  const { after, f } = parsed as Record<string, unknown>;
  if (typeof after !== 'string' || after.length === 0 || typeof f !== 'string') throw invalidCursor('not a cursor returned by this API');
  if (f !== filtersHash(filters)) throw invalidCursor('the cursor belongs to a listing with other filters');
  return after;
}
