/**
 * Coded domain errors. They carry a stable `code` and the HTTP-like `status` the edge should use; the RPC
 * server turns them into `{ ok: false, error: { code, message, status } }` and the gateway into problem+json.
 */
export class CatalogueError extends Error {
  constructor(
    readonly code: 'BUNDLE_NOT_FOUND' | 'INVALID_CURSOR' | 'CATALOGUE_UNAVAILABLE',
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'CatalogueError';
  }
}

export function bundleNotFound(name: string): CatalogueError {
  return new CatalogueError('BUNDLE_NOT_FOUND', 404, `bundle ${name} does not exist or is no longer sold`);
}

export function invalidCursor(reason: string): CatalogueError {
  return new CatalogueError('INVALID_CURSOR', 400, `invalid cursor: ${reason}`);
}

/** No catalogue in memory yet and the database cannot be read: try again shortly. */
export function catalogueUnavailable(): CatalogueError {
  return new CatalogueError('CATALOGUE_UNAVAILABLE', 503, 'the catalogue is not available right now, try again shortly');
}
