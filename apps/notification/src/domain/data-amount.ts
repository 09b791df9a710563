/** Bytes as a traveller reads them: decimal units as eSIM Go sells them (1 GB = 1000 MB), at most one decimal. */
export function formatDataAmount(bytes: number): string {
  const units: Array<[string, number]> = [
    ['GB', 1e9],
    ['MB', 1e6],
    ['KB', 1e3],
  ];
  for (const [unit, size] of units) {
    if (bytes >= size) {
      const value = Math.floor((bytes / size) * 10) / 10;
      return `${Number.isInteger(value) ? value.toFixed(0) : value.toFixed(1)} ${unit}`;
    }
  }
  return `${bytes} B`;
}
