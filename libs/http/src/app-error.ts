import { STATUS_CODES } from 'node:http';

export interface ProblemFieldError {
  path: string;
  message: string;
  code?: string;
}

export interface AppErrorOptions {
  title?: string;
  errors?: ProblemFieldError[];
  headers?: Record<string, string>;
  cause?: unknown;
}

/** A coded error raised anywhere and mapped to problem+json once, at the HTTP edge. */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly detail: string | undefined;
  readonly title: string;
  readonly errors: ProblemFieldError[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(code: string, status: number, detail?: string, opts: AppErrorOptions = {}) {
    super(detail ?? code, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.detail = detail;
    this.title = opts.title ?? STATUS_CODES[status] ?? 'Error';
    this.errors = opts.errors;
    this.headers = opts.headers;
  }
}

/** Also recognises an AppError from another copy of this module (e.g. a second jest module registry). */
export function isAppError(err: unknown): err is AppError {
  if (err instanceof AppError) return true;
  if (!(err instanceof Error) || err.name !== 'AppError') return false;
  const candidate = err as Partial<AppError>;
  return typeof candidate.code === 'string' && typeof candidate.status === 'number';
}
