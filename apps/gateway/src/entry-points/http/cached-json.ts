import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Request, Response } from 'express';

/** A response serialised once, on a cache miss: hits send these bytes as they are, with no JSON work at all. */
export interface CachedJson {
  body: Buffer;
  /**
   * The same body gzipped once at fill time. Catalogue pages list every country of regional and global bundles
   * (tens of KB); clients that accept gzip get about a tenth of the bytes, at no per-request CPU cost.
   */
  gzip: Buffer;
  /** Weak: equal JSON means an equal representation, not byte-identical encodings through every proxy. */
  etag: string;
}

/** Public catalogue data changes at most every few minutes; clients and CDNs may keep it for a minute. */
export const CATALOGUE_CACHE_CONTROL = 'public, max-age=60';
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export function toCachedJson(value: unknown): CachedJson {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  return { body, gzip: gzipSync(body, { level: 6 }), etag: `W/"${createHash('sha1').update(body).digest('base64url')}"` };
}

/** If-None-Match uses the weak comparison (RFC 9110 §13.1.2): `W/"x"` matches `"x"`; `*` matches anything. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header === etag) return true;
  const opaque = etag.startsWith('W/') ? etag.slice(2) : etag;
  for (const candidate of header.split(',')) {
    const tag = candidate.trim();
    if (tag === '*') return true;
    if ((tag.startsWith('W/') ? tag.slice(2) : tag) === opaque) return true;
  }
  return false;
}

/** True when the client accepts gzip (a q=0 refusal counts as no). */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return false;
  for (const part of value.split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return !q || Number(q.slice(2)) > 0;
  }
  return false;
}

export function sendCachedJson(req: Request, res: Response, entry: CachedJson): void {
  res.setHeader('Cache-Control', CATALOGUE_CACHE_CONTROL);
  res.setHeader('ETag', entry.etag);
  res.setHeader('Vary', 'Accept-Encoding');
  if (etagMatches(req.headers['if-none-match'], entry.etag)) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.statusCode = 200;
  res.setHeader('Content-Type', JSON_CONTENT_TYPE);
  const body = acceptsGzip(req.headers['accept-encoding']) ? entry.gzip : entry.body;
  if (body === entry.gzip) res.setHeader('Content-Encoding', 'gzip');
  res.setHeader('Content-Length', body.length);
  // res.end, not res.send: send would hash the body again for Express's own ETag on every hit.
  res.end(body);
}
