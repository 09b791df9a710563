import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { registerBundlesOpenApi } from './bundles.openapi';

export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

/** Each resource registers its own paths (next issue: auth, orders, vendor ...). */
const registrations: Array<(registry: OpenAPIRegistry) => void> = [registerBundlesOpenApi];

export function buildOpenApiDocument(opts: { publicBaseUrl?: string | undefined }): OpenApiDocument {
  const registry = new OpenAPIRegistry();
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
    tags: [{ name: 'Catalogue', description: 'Public bundle catalogue (no authentication).' }],
  });
}
