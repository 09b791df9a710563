/**
 * Coded errors of the eSIM queries, with the HTTP-like status the edge should use (the RPC server turns them
 * into `{ ok: false, error: { code, message, status } }`). Another owner's eSIM is ESIM_NOT_FOUND, never a
 * 403: its existence is not disclosed.
 */
export class EsimError extends Error {
  constructor(
    readonly code: 'ESIM_NOT_FOUND' | 'INVALID_CURSOR',
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
