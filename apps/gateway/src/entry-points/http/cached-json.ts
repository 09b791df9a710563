import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';

/** A response serialised once, on a cache miss: hits send these bytes as they are, with no JSON work at all. */
export interface CachedJson {
  body: Buffer;
  /** Weak: equal JSON means an equal representation, not byte-identical encodings through every proxy. */
  etag: string;
}

/** Public catalogue data changes at most every few minutes; clients and CDNs may keep it for a minute. */
export const CATALOGUE_CACHE_CONTROL = 'public, max-age=60';
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export function toCachedJson(value: unknown): CachedJson {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  return { body, etag: `W/"${createHash('sha1').update(body).digest('base64url')}"` };
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

export function sendCachedJson(req: Request, res: Response, entry: CachedJson): void {
  res.setHeader('Cache-Control', CATALOGUE_CACHE_CONTROL);
  res.setHeader('ETag', entry.etag);
  if (etagMatches(req.headers['if-none-match'], entry.etag)) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.statusCode = 200;
  res.setHeader('Content-Type', JSON_CONTENT_TYPE);
  res.setHeader('Content-Length', entry.body.length);
  // res.end, not res.send: send would hash the body again for Express's own ETag on every hit.
  res.end(entry.body);
}
