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
      'A reseller API key `ttk_<keyId>_<secret>`, issued by an admin and shown once. Rate-limited per key (the vendor\'s ' +
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
