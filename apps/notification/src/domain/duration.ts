/**
 * Durations as operators write them in the environment: `250ms`, `10s`, `1m`, `2h`, or bare milliseconds.
 * Retry schedules are lists of them (`10s,1m,5m,30m,2h`).
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(raw: string): number {
  const match = /^(\d+)\s*(ms|s|m|h|d)?$/i.exec(raw.trim());
  if (!match) throw new Error(`'${raw}' is not a duration (expected e.g. 500ms, 10s, 1m, 2h or plain milliseconds)`);
  const value = Number(match[1]) * (UNIT_MS[(match[2] ?? 'ms').toLowerCase()] ?? 1);
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`'${raw}' must be a positive duration`);
  return value;
}

export function parseDurationList(raw: string): number[] {
  const parts = raw.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) throw new Error('expected at least one duration');
  return parts.map(parseDuration);
}
