import type { Response } from 'express';
import { getContext } from '@ttelgo/observability';
import type { AppError, ProblemFieldError } from './app-error';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  requestId?: string;
  errors?: ProblemFieldError[];
}

export function problemType(code: string): string {
  return `https://docs.ttelgo.dev/errors/${code.toLowerCase().replace(/_/g, '-')}`;
}

/** The request id set by the request-context middleware; the ALS context is only a fallback. */
export function requestIdOf(res: Response): string | undefined {
  const fromLocals = (res.locals as { requestId?: unknown }).requestId;
  return typeof fromLocals === 'string' ? fromLocals : getContext().requestId;
}

export function toProblem(err: AppError, requestId: string | undefined): ProblemBody {
  const body: ProblemBody = { type: problemType(err.code), title: err.title, status: err.status, code: err.code };
  if (err.detail !== undefined) body.detail = err.detail;
  if (requestId !== undefined) body.requestId = requestId;
  if (err.errors && err.errors.length > 0) body.errors = err.errors;
  return body;
}

export function sendProblem(res: Response, err: AppError): void {
  if (err.headers) res.set(err.headers);
  res.status(err.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(toProblem(err, requestIdOf(res))));
}
