/**
 * Writes the JSON Schema snapshot of every contract to libs/contracts/snapshots. Refuses to overwrite a
 * snapshot with a non-additive change: a breaking change needs a new message version.
 */
import { breakingChanges } from '../libs/contracts/tooling/schema-compat';
import { allContracts, readSnapshot, snapshotOf, writeSnapshot } from '../libs/contracts/tooling/snapshots';

let refused = 0;
for (const contract of allContracts) {
  const current = snapshotOf(contract);
  const previous = readSnapshot(contract.name);
  if (previous) {
    const breaking = [
      ...breakingChanges(previous.schema, current.schema, '$request'),
      ...(previous.responseSchema ? breakingChanges(previous.responseSchema, current.responseSchema ?? {}, '$response') : []),
    ];
    if (breaking.length > 0) {
      refused += 1;
      console.error(`${contract.name}: breaking change, publish a new version instead:`);
      for (const b of breaking) console.error(`  ${b.path}: ${b.problem}`);
      continue;
    }
  }
  writeSnapshot(current);
  console.log(`${contract.name}: snapshot written`);
}
process.exit(refused > 0 ? 1 : 0);
