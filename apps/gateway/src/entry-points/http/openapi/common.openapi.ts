import type { ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { ProblemSchema } from '@ttelgo/contracts';
import { PROBLEM_CONTENT_TYPE } from '@ttelgo/http';
import { z } from 'zod';

/*
 * The contract schemas are plain zod (contracts import nothing else), so the OpenAPI names are attached here with
 * zod's own `.meta({ id })`, which zod-to-openapi 9 reads: no `extendZodWithOpenApi` prototype patching needed.
 * `.meta` returns a copy with the same definition, so the documented schema IS the contract's, validation included.
 * Built once per process (module scope): component ids are global in zod's registry.
 */
export const ProblemDoc = ProblemSchema.meta({
  id: 'Problem',
  description: 'RFC 9457 problem details with a stable machine `code` and the request id.',
});

const requestIdHeader = z.string().meta({ description: 'Echoes a sane incoming X-Request-Id, else a new UUID. Quote it when reporting a problem.' });

/** Every response carries X-Request-Id. */
export const commonResponseHeaders = z.object({ 'X-Request-Id': requestIdHeader });

export const commonRequestHeaders = z.object({
  'X-Request-Id': z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/)
    .optional()
    .meta({ description: 'Optional client-chosen request id (1-128 of A-Z a-z 0-9 . _ : -); otherwise one is generated.' }),
});

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (`VALIDATION_FAILED` with `errors[]`, or a coded client error such as `INVALID_CURSOR`).',
  401: 'Not authenticated (`AUTHENTICATION_REQUIRED`, `INVALID_TOKEN` with `WWW-Authenticate: Bearer error="invalid_token"`, `API_KEY_REQUIRED`, `INVALID_API_KEY`, or a credentials code).',
  403: 'Authenticated, but not allowed (`FORBIDDEN` for the role, `VENDOR_SUSPENDED` for a suspended reseller).',
  404: 'Not found (`ROUTE_NOT_FOUND`, or a resource code such as `BUNDLE_NOT_FOUND`); another owner\'s resource is 404 too.',
  409: 'Conflict (`EMAIL_TAKEN`, `IDEMPOTENCY_REQUEST_IN_PROGRESS`, `ORDER_NOT_REFUNDABLE`).',
  413: 'The request body is too large (`PAYLOAD_TOO_LARGE`).',
  422: 'The Idempotency-Key was already used with another request (`IDEMPOTENCY_KEY_REUSED`).',
  429: 'Too many requests (`RATE_LIMITED`); retry after `Retry-After` seconds.',
  500: 'Unexpected error (`INTERNAL_ERROR`); nothing internal is disclosed.',
  501: 'Not available in this version (`NOT_IMPLEMENTED`).',
  502: 'An upstream service failed or answered badly (`UPSTREAM_ERROR`).',
  503: 'A dependency is unavailable (`SERVICE_UNAVAILABLE`); retry after `Retry-After` seconds.',
  504: 'An upstream service did not answer in time (`UPSTREAM_TIMEOUT`).',
};

export function problemResponses(statuses: number[]): Record<number, ResponseConfig> {
  const responses: Record<number, ResponseConfig> = {};
  for (const status of statuses) {
    const headers =
      status === 503 || status === 429
        ? commonResponseHeaders.extend({ 'Retry-After': z.string().meta({ description: 'Seconds to wait before retrying.' }) })
        : status === 401
          ? commonResponseHeaders.extend({ 'WWW-Authenticate': z.string().optional().meta({ description: 'RFC 6750 challenge on bearer-token routes.' }) })
          : commonResponseHeaders;
    responses[status] = {
      description: PROBLEM_DESCRIPTIONS[status] ?? 'Error',
      headers,
      content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemDoc } },
    };
  }
  return responses;
}

/** The name of the JWT security scheme (registered by openapi.document.ts). */
export const BEARER_AUTH = 'bearerAuth';
export const bearerSecurity = [{ [BEARER_AUTH]: [] as string[] }];

/** RateLimit-* (draft-ietf-httpapi-ratelimit-headers) on every answer of a rate-limited route. */
export const rateLimitResponseHeaders = commonResponseHeaders.extend({
  'RateLimit-Limit': z.string().meta({ description: 'Requests allowed per window (per client IP).' }),
  'RateLimit-Remaining': z.string().meta({ description: 'Requests left in the current window.' }),
  'RateLimit-Reset': z.string().meta({ description: 'Seconds until the window resets.' }),
});

/** The name of the vendor API-key security scheme (registered by openapi.document.ts). */
export const API_KEY_AUTH = 'apiKeyAuth';
export const apiKeySecurity = [{ [API_KEY_AUTH]: [] as string[] }];

/** RateLimit-* on every answer to an authenticated vendor: the window of its API key. */
export const vendorResponseHeaders = commonResponseHeaders.extend({
  'RateLimit-Limit': z.string().meta({ description: "Requests allowed per minute for this API key (the vendor's rateLimitPerMinute)." }),
  'RateLimit-Remaining': z.string().meta({ description: 'Requests left in the current minute.' }),
  'RateLimit-Reset': z.string().meta({ description: 'Seconds until the window resets.' }),
});

/** The Idempotency-Key request header, required or optional. */
export function idempotencyKeyHeader(required: boolean, scope: string) {
  const header = z
    .string()
    .min(1)
    .max(255)
    .meta({
      description:
        `${required ? 'REQUIRED' : 'Optional'}. 1-255 printable ASCII characters (a UUID v4 is a good choice), kept 24 h per ${scope}. The same key with ` +
        'the same body replays the first response (`Idempotent-Replayed: true`); with another body it is 422 `IDEMPOTENCY_KEY_REUSED`; ' +
        'while the first request runs it is 409 `IDEMPOTENCY_REQUEST_IN_PROGRESS`. 5xx answers are not kept: retry them with the same key.',
    });
  return commonRequestHeaders.extend({ 'Idempotency-Key': required ? header : header.optional() });
}
