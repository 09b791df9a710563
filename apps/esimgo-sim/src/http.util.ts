/** Small helpers shared by the route files: eSIM Go errors are always `{ message }`. */
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';

export class SimError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function sendError(res: Response, status: number, message: string, headers: Record<string, string> = {}): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.status(status).json({ message });
}

/** First value of a query parameter (repeated keys arrive as arrays). */
export function q1(v: unknown): string | undefined {
  if (Array.isArray(v)) return q1(v[0]);
  return typeof v === 'string' ? v : undefined;
}

/** Every value of a repeatable query parameter, also splitting comma lists. */
export function qAll(v: unknown, splitComma = true): string[] {
  const raw = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return raw
    .filter((x): x is string => typeof x === 'string')
    .flatMap((x) => (splitComma ? x.split(',') : [x]))
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
}

export function qInt(v: unknown, dflt: number, min: number, max: number): number {
  const s = q1(v);
  if (s === undefined || s === '') return dflt;
  const n = Number(s);
  if (!Number.isInteger(n)) throw new SimError(400, `Invalid integer: ${s}`);
  return Math.min(max, Math.max(min, n));
}

export function qBool(v: unknown, dflt = false): boolean {
  const s = q1(v);
  if (s === undefined || s === '') return dflt;
  return s.toLowerCase() === 'true' || s === '1';
}

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body ?? {});
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new SimError(400, `Invalid request: ${where}${issue?.message ?? 'bad body'}`);
  }
  return r.data;
}

export function paramOf(req: Request, name: string): string {
  const v = (req.params as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? v.join('/') : (v ?? '');
}

/**
 * eSIM Go documents no maximum page size; a public client keeps to 50 "to avoid errors", so the simulator refuses
 * more: a client that asks for more finds out here, and tests see several pages.
 */
export const MAX_PAGE_SIZE = 50;

/** A page size from the query: `dflt` when absent, 400 above MAX_PAGE_SIZE (never silently lowered). */
export function qPageSize(v: unknown, name: string, dflt: number): number {
  const n = qInt(v, dflt, 1, 1_000_000);
  if (n > MAX_PAGE_SIZE) throw new SimError(400, `${name} must be between 1 and ${MAX_PAGE_SIZE}`);
  return n;
}

/** The page size really served: what was asked, or less under the pageSizeCap fault. */
export function servedPageSize(asked: number, cap: number): number {
  return cap > 0 ? Math.min(asked, cap) : asked;
}

export function paginate<T>(items: T[], page: number, perPage: number): T[] {
  const start = (Math.max(1, page) - 1) * perPage;
  return items.slice(start, start + perPage);
}

export type Handler = (req: Request, res: Response, next: NextFunction) => unknown;
