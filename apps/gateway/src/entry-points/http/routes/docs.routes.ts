import { Router, type RequestHandler } from 'express';
import helmet from 'helmet';
import swaggerUi from 'swagger-ui-express';
import type { OpenApiDocument } from '../openapi/openapi.document';

const OPENAPI_PATH = '/api/v1/openapi.json';
const DOCS_PATH = '/api/docs';

/**
 * helmet's default CSP (set for the whole app) forbids what Swagger UI needs on plain-http hosts and data: images;
 * this one is looser, for the docs page and its assets only. Scripts still come from 'self' only.
 */
const docsCsp: RequestHandler = helmet.contentSecurityPolicy({
  useDefaults: true,
  directives: {
    'script-src': ["'self'"],
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:', 'https:'],
    'connect-src': ["'self'"],
    'upgrade-insecure-requests': null,
  },
});

/** `GET /api/v1/openapi.json` and Swagger UI at `GET /api/docs` (mounted on /api). */
export function docsRoutes(document: OpenApiDocument): Router {
  const router = Router();
  const json = JSON.stringify(document);

  router.get('/v1/openapi.json', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.type('application/json').send(json);
  });

  // The UI loads the document by URL (not inlined), so what it shows is exactly what clients download.
  const uiOptions = { swaggerUrl: OPENAPI_PATH, customSiteTitle: 'TtelGo API', swaggerOptions: { validatorUrl: null } };
  // swagger-ui-express links its assets relatively (./swagger-ui.css): a <base> makes them resolve under /api/docs/
  // whether the page was requested with or without the trailing slash.
  const html = swaggerUi.generateHTML(undefined, uiOptions).replace('<head>', `<head>\n  <base href="${DOCS_PATH}/">`);
  router.get(['/docs', '/docs/'], docsCsp, (_req, res) => {
    res.type('html').send(html);
  });
  router.use('/docs', docsCsp, ...swaggerUi.serveFiles(undefined, uiOptions));
  return router;
}
