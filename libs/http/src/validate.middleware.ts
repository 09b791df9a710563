import type { Request, RequestHandler } from 'express';
import type { ZodError, ZodType } from 'zod';
import { AppError, type ProblemFieldError } from './app-error';

export interface RequestSchemas<Q, P, B> {
  query?: ZodType<Q>;
  params?: ZodType<P>;
  body?: ZodType<B>;
}

type Part = 'query' | 'params' | 'body';
type ParsedParts = Partial<Record<Part, unknown>>;

// Express 5 makes req.query a getter, so parsed values live beside the request instead of replacing its fields.
const parsedByRequest = new WeakMap<Request, ParsedParts>();

export function zodIssuesToFieldErrors(error: ZodError, prefix?: string): ProblemFieldError[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter((s) => s !== undefined && s !== '').join('.'),
    message: issue.message,
    code: issue.code,
  }));
}

export const VALIDATION_FAILED = 'VALIDATION_FAILED';

/** Validates query, params and body; on failure 400 VALIDATION_FAILED with errors[] like `{ path: 'query.limit' }`. */
export function validateRequest<Q = unknown, P = unknown, B = unknown>(schemas: RequestSchemas<Q, P, B>): RequestHandler {
  const parts: Part[] = ['params', 'query', 'body'];
  return (req, _res, next) => {
    const values: ParsedParts = { ...parsedByRequest.get(req) };
    const errors: ProblemFieldError[] = [];
    for (const part of parts) {
      const schema = schemas[part] as ZodType | undefined;
      if (!schema) continue;
      const result = schema.safeParse(req[part] ?? (part === 'body' ? undefined : {}));
      if (result.success) values[part] = result.data;
      else errors.push(...zodIssuesToFieldErrors(result.error, part));
    }
    if (errors.length > 0) {
      next(new AppError(VALIDATION_FAILED, 400, 'The request is not valid.', { title: 'Validation failed', errors }));
      return;
    }
    parsedByRequest.set(req, values);
    next();
  };
}

/** The values validateRequest produced; parts without a schema fall back to the raw request fields. */
export function parsed<Q = unknown, P = unknown, B = unknown>(req: Request): { query: Q; params: P; body: B } {
  const values = parsedByRequest.get(req);
  if (!values) throw new Error('parsed(req) used on a route without validateRequest');
  return {
    query: ('query' in values ? values.query : req.query) as Q,
    params: ('params' in values ? values.params : req.params) as P,
    body: ('body' in values ? values.body : req.body) as B,
  };
}
