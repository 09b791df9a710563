/** The largest `Prefer: wait` honoured, in seconds (docs/architecture.md#prefer-wait). */
export const MAX_PREFER_WAIT_SECONDS = 30;

/**
 * `wait=N` of a Prefer header (RFC 7240 §4.3), capped at MAX_PREFER_WAIT_SECONDS; undefined when absent or malformed
 * (a preference the server cannot read is ignored, as the RFC asks, not an error).
 */
export function preferredWaitSeconds(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const text = Array.isArray(header) ? header.join(',') : header;
  if (text.length > 1000) return undefined;
  for (const preference of text.split(',')) {
    const match = /^\s*wait\s*=\s*"?(\d{1,6})"?\s*(;.*)?$/i.exec(preference);
    if (match) return Math.min(Number(match[1]), MAX_PREFER_WAIT_SECONDS);
  }
  return undefined;
}
