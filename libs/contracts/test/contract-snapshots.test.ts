import { readdirSync } from 'node:fs';
import { breakingChanges } from '../tooling/schema-compat';
import { allContracts, readSnapshot, snapshotOf, SNAPSHOT_DIR } from '../tooling/snapshots';

/**
 * Checked-in JSON Schema snapshots of every versioned contract. A non-additive change to a published version
 * fails here: make a new version (`.v2`) instead. An additive change (a new optional field) fails too until
 * the snapshot is refreshed with `npm run contracts:snapshot`, so the snapshot always shows what is published.
 */
describe('versioned message contracts', () => {
  it.each(allContracts.map((c) => [c.name, c] as const))('%s matches its snapshot or changes only additively', (name, contract) => {
    const snapshot = readSnapshot(name);
    expect(snapshot).toBeDefined();
    const current = snapshotOf(contract);
    const breaking = [
      ...breakingChanges(snapshot!.schema, current.schema, '$request'),
      ...(snapshot!.responseSchema ? breakingChanges(snapshot!.responseSchema, current.responseSchema ?? {}, '$response') : []),
    ];
    expect(breaking).toEqual([]);
    // Additive drift: refresh the snapshot so it stays the record of what is on the wire.
    expect(current).toEqual(snapshot);
  });

  it('keeps a contract for every snapshot (a published version is never removed)', () => {
    const names = new Set(allContracts.map((c) => c.name));
    const orphaned = readdirSync(SNAPSHOT_DIR)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.replace(/\.json$/, ''))
      .filter((n) => !names.has(n));
    expect(orphaned).toEqual([]);
  });
});
