import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { allContracts } from '../src/registry';
import type { MessageContract, RpcContract } from '../src/define';

export const SNAPSHOT_DIR = join(__dirname, '..', 'snapshots');

export interface ContractSnapshot {
  name: string;
  kind: string;
  schema: Record<string, unknown>;
  responseSchema?: Record<string, unknown>;
}

export function snapshotOf(contract: MessageContract): ContractSnapshot {
  const toJson = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as Record<string, unknown>;
  const snap: ContractSnapshot = { name: contract.name, kind: contract.kind, schema: toJson(contract.schema) };
  if (contract.kind === 'rpc') snap.responseSchema = toJson((contract as RpcContract).responseSchema);
  return snap;
}

export function snapshotPath(name: string): string {
  return join(SNAPSHOT_DIR, `${name}.json`);
}

export function readSnapshot(name: string): ContractSnapshot | undefined {
  const file = snapshotPath(name);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ContractSnapshot) : undefined;
}

export function writeSnapshot(snapshot: ContractSnapshot): void {
  mkdirSync(SNAPSHOT_DIR, { recursive: true });
  writeFileSync(snapshotPath(snapshot.name), `${JSON.stringify(snapshot, null, 2)}\n`);
}

export { allContracts };
