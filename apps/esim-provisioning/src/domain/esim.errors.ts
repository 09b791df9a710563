/**
 * Coded errors of the eSIM queries, with the HTTP-like status the edge should use (the RPC server turns them
 * into `{ ok: false, error: { code, message, status } }`). Another owner's eSIM is ESIM_NOT_FOUND, never a
 * 403: its existence is not disclosed.
 */
export class EsimError extends Error {
  constructor(
    readonly code: 'ESIM_NOT_FOUND' | 'INVALID_CURSOR' | 'BUNDLE_NOT_COMPATIBLE' | 'PROVIDER_UNAVAILABLE',
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'EsimError';
  }
}

export function esimNotFound(iccid: string): EsimError {
  return new EsimError('ESIM_NOT_FOUND', 404, `eSIM ${iccid} not found`);
}

export function invalidEsimCursor(): EsimError {
  return new EsimError('INVALID_CURSOR', 400, 'invalid cursor: not a cursor returned by this API');
}

/** eSIM Go says this bundle cannot be applied to this eSIM (it comes from another network than the eSIM's). */
export function bundleNotCompatible(iccid: string, bundleName: string): EsimError {
  return new EsimError('BUNDLE_NOT_COMPATIBLE', 422, `bundle ${bundleName} cannot be applied to eSIM ${iccid}; choose another bundle`);
}

/** eSIM Go could not be asked in time: nothing was decided, retry shortly. */
export function providerUnavailable(detail: string): EsimError {
  return new EsimError('PROVIDER_UNAVAILABLE', 503, `eSIM Go is not available right now (${detail}); retry shortly`);
}
