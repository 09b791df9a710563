import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { outboxChannel, outboxNotifyTriggerSql } from './outbox';

describe('outboxNotifyTriggerSql', () => {
  it('is what the fixture migration installs (migrations copy it verbatim)', () => {
    const migration = readFileSync(join(__dirname, '..', 'test', 'fixture', 'migrations', '20260101000000_init', 'migration.sql'), 'utf8');
    expect(migration).toContain(outboxNotifyTriggerSql());
  });

  it('qualifies every object when given a schema, and rejects odd schema names', () => {
    const sql = outboxNotifyTriggerSql('billing');
    expect(sql).toContain('FUNCTION "billing"."outbox_notify"()');
    expect(sql).toContain('ON "billing"."outbox"');
    expect(() => outboxNotifyTriggerSql('billing"; DROP TABLE x; --')).toThrow(/invalid schema name/);
  });

  it('names the channel after the schema, within the 63-byte identifier limit', () => {
    expect(outboxChannel('billing')).toBe('billing_outbox');
    expect(outboxChannel('a'.repeat(63))).toHaveLength(63);
  });
});
