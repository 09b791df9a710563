import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { registerAuthOpenApi } from './auth.openapi';
import { registerBundlesOpenApi } from './bundles.openapi';
import { registerAdminOpenApi } from './admin.openapi';
import { API_KEY_AUTH, BEARER_AUTH } from './common.openapi';
import { registerEsimsOpenApi } from './esims.openapi';
import { registerOrdersOpenApi } from './orders.openapi';
import { registerVendorOpenApi } from './vendor.openapi';
import { registerVendorEventsOpenApi } from './vendor-events.openapi';
import { registerInstallKitOpenApi } from './install-kit.openapi';
import { registerVendorQuotesOpenApi } from './vendor-quotes.openapi';
import { registerVendorCancellationsOpenApi } from './vendor-cancellations.openapi';
import { registerWebhooksOpenApi } from './webhooks.openapi';

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

/** Each resource registers its own paths. */
const registrations: Array<(registry: OpenAPIRegistry) => void> = [
  registerBundlesOpenApi,
  registerAuthOpenApi,
  registerOrdersOpenApi,
  registerEsimsOpenApi,
  registerWebhooksOpenApi,
  registerVendorOpenApi,
  registerVendorEventsOpenApi,
  registerInstallKitOpenApi,
  registerVendorQuotesOpenApi,
  registerVendorCancellationsOpenApi,
  registerAdminOpenApi,
];

export function buildOpenApiDocument(opts: { publicBaseUrl?: string | undefined }): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', BEARER_AUTH, {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'The access token of POST /auth/login, /auth/register or /auth/refresh (HS256, 15 minutes).',
  });
  registry.registerComponent('securitySchemes', API_KEY_AUTH, {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description:
      'A reseller API key `ttk_<keyId>_<secret>` (live) or `ttk_test_<keyId>_<secret>` (sandbox), issued by an admin and shown once. ' +
      'A test key sees the same API against the sandbox: simulated providers, a test wallet of 1,000.00, data apart from live data, and ' +
      'magic bundles that force an outcome, like test cards: `test_provisioning_fails` (the order ends FAILED, its hold released), ' +
      '`test_completes_after_5s` (the order completes after 5 s), `test_usage_80` (80 % of the data used a few seconds after completion, ' +
      'with the esim.usage_threshold webhook). Webhooks, events and eSIMs of a test key are the sandbox\'s. ' +
      'Rate-limited per key (the vendor\'s ' +
      'rateLimitPerMinute; RateLimit-* headers on every answer, 429 + Retry-After above it).',
  });
  for (const register of registrations) register(registry);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'TtelGo API',
      version: '1.0.0',
      description:
        'eSIM data bundles for travellers and resellers. JSON, camelCase; errors are application/problem+json with a ' +
        'stable `code`; lists are `{ data, nextCursor }` cursor pages; every response carries `X-Request-Id`.',
    },
    // Without servers, clients resolve the paths against the host that served this document.
    ...(opts.publicBaseUrl ? { servers: [{ url: opts.publicBaseUrl.replace(/\/+$/, '') }] } : {}),
    tags: [
      { name: 'Catalogue', description: 'Public bundle catalogue (no authentication).' },
      { name: 'Auth', description: 'Customer accounts and sessions (access JWT + rotating refresh token).' },
      { name: 'Orders', description: 'A customer\'s orders (JWT).' },
      { name: 'eSIMs', description: 'A customer\'s eSIMs, install data and QR codes (JWT).' },
      { name: 'Webhooks', description: 'Provider callbacks, authenticated by their signatures.' },
      { name: 'Reseller', description: 'The B2B API for resellers (X-API-Key).' },
      { name: 'Admin', description: 'Operator routes (JWT of an admin account).' },
    ],
  });
}
