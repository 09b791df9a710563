import type { ErrorRequestHandler, Express, RequestHandler } from 'express';
import { ZodError } from 'zod';
import type { Logger } from '@ttelgo/observability';
import { AppError, isAppError } from './app-error';
import { sendProblem } from './problem';
import { VALIDATION_FAILED, zodIssuesToFieldErrors } from './validate.middleware';

// body-parser (express.json) errors carry a `type`; these are the client's fault and safe to describe.
const BODY_PARSER_ERRORS: Record<string, { code: string; status: number; detail: string }> = {
  'entity.parse.failed': { code: 'MALFORMED_JSON', status: 400, detail: 'The request body is not valid JSON.' },
  'entity.too.large': { code: 'PAYLOAD_TOO_LARGE', status: 413, detail: 'The request body is too large.' },
  'encoding.unsupported': { code: 'UNSUPPORTED_MEDIA_TYPE', status: 415, detail: 'The request body encoding is not supported.' },
  'charset.unsupported': { code: 'UNSUPPORTED_MEDIA_TYPE', status: 415, detail: 'The request body charset is not supported.' },
  'request.aborted': { code: 'REQUEST_ABORTED', status: 400, detail: 'The request was aborted.' },
  'request.size.invalid': { code: 'BAD_REQUEST', status: 400, detail: 'The request body size does not match Content-Length.' },
};

/** Maps anything thrown to an AppError; `undefined` means "unexpected", which becomes a logged 500. */
export function toAppError(err: unknown): AppError | undefined {
  if (isAppError(err)) return err;
  if (err instanceof ZodError) {
    return new AppError(VALIDATION_FAILED, 400, 'The request is not valid.', {
      title: 'Validation failed',
      errors: zodIssuesToFieldErrors(err),
      cause: err,
    });
  }
  if (typeof err !== 'object' || err === null) return undefined;
  const { type, status, statusCode, expose } = err as { type?: unknown; status?: unknown; statusCode?: unknown; expose?: unknown };
  const known = typeof type === 'string' ? BODY_PARSER_ERRORS[type] : undefined;
  if (known) return new AppError(known.code, known.status, known.detail, { cause: err });
  // The router fails to decode a path such as `/bundles/%zz` with a URIError marked 400 but not `expose`:
  // a broken URL is the client's mistake, never a 500.
  if (err instanceof URIError && status === 400) {
    return new AppError('MALFORMED_URL', 400, 'The URL is not validly percent-encoded.', { cause: err });
  }
  // http-errors convention (router's URI decoding, static files ...): a 4xx marked safe to show.
  const httpStatus = typeof status === 'number' ? status : typeof statusCode === 'number' ? statusCode : undefined;
  if (expose === true && httpStatus !== undefined && httpStatus >= 400 && httpStatus < 500) {
    return new AppError('BAD_REQUEST', httpStatus, (err as Error).message, { cause: err });
  }
  return undefined;
}

function notFound(): RequestHandler {
  return (req, _res, next) => {
    next(new AppError('ROUTE_NOT_FOUND', 404, `No route for ${req.method} ${req.path}.`));
  };
}

function problemHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    const mapped = toAppError(err);
    const appError =
      mapped ?? new AppError('INTERNAL_ERROR', 500, 'An unexpected error occurred.', { title: 'Internal Server Error' });
    if (!mapped || appError.status === 500 || appError.status === 502) {
      logger.error({ err, method: req.method, path: req.path, code: appError.code }, 'request failed');
    } else if (appError.status >= 500) {
      // 503/504: a dependency is briefly away (broker down, service slow). Expected in operation and answered
      // with Retry-After; a warning, so error-level alerts stay about bugs.
      logger.warn({ err, method: req.method, path: req.path, code: appError.code }, 'request failed: dependency unavailable');
    }
    if (res.headersSent) {
      // Too late for a problem body: let Express tear the connection down.
      next(err);
      return;
    }
    sendProblem(res, appError);
  };
}

/** Call after the routes: 404 ROUTE_NOT_FOUND for anything unmatched, then the problem+json error handler. */
export function finishHttpApp(app: Express, logger: Logger): void {
  app.use(notFound());
  app.use(problemHandler(logger));
}
