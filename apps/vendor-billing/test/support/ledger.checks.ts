/** Invariants of the ledger, read straight from Postgres (never through the code under test). */
import type pg from 'pg';

export interface LedgerReport {
  totalDebits: bigint;
  totalCredits: bigint;
  /** accounts whose stored balance differs from the sum of their entries */
  balanceMismatches: Array<{ id: string; stored: string; derived: string }>;
  /** accounts whose last entry's balance_after differs from the stored balance */
  balanceAfterMismatches: string[];
  /** ledger transactions whose debits differ from their credits */
  unbalancedTransactions: number;
  /** vendor accounts whose reserved differs from the sum of their HELD holds */
  reservedMismatches: Array<{ id: string; reserved: string; held: string }>;
  /** vendor accounts with available < 0 */
  negativeAvailable: number;
}

export async function ledgerReport(db: pg.Client, schema: string): Promise<LedgerReport> {
  const s = `"${schema}"`;
  const totals = await db.query<{ d: string; c: string }>(
    `SELECT coalesce(sum(amount) FILTER (WHERE direction = 'debit'), 0)::text AS d, coalesce(sum(amount) FILTER (WHERE direction = 'credit'), 0)::text AS c FROM ${s}.ledger_entries`,
  );
  const mismatches = await db.query<{ id: string; stored: string; derived: string }>(
    `SELECT a.id, a.balance::text AS stored, coalesce(sum(CASE WHEN e.direction = a.normal_side THEN e.amount ELSE -e.amount END), 0)::text AS derived
       FROM ${s}.accounts a LEFT JOIN ${s}.ledger_entries e ON e.account_id = a.id
      GROUP BY a.id, a.balance HAVING a.balance <> coalesce(sum(CASE WHEN e.direction = a.normal_side THEN e.amount ELSE -e.amount END), 0)`,
  );
  const after = await db.query<{ id: string }>(
    `SELECT a.id FROM ${s}.accounts a
       JOIN LATERAL (SELECT balance_after FROM ${s}.ledger_entries e WHERE e.account_id = a.id ORDER BY seq DESC LIMIT 1) last ON true
      WHERE last.balance_after <> a.balance`,
  );
  const unbalanced = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (SELECT transaction_id FROM ${s}.ledger_entries GROUP BY transaction_id
       HAVING sum(amount) FILTER (WHERE direction = 'debit') IS DISTINCT FROM sum(amount) FILTER (WHERE direction = 'credit')) x`,
  );
  const reserved = await db.query<{ id: string; reserved: string; held: string }>(
    `SELECT a.id, a.reserved::text AS reserved, coalesce(sum(h.amount) FILTER (WHERE h.status = 'HELD'), 0)::text AS held
       FROM ${s}.accounts a LEFT JOIN ${s}.holds h ON h.account_id = a.id WHERE a.vendor_id IS NOT NULL
      GROUP BY a.id, a.reserved HAVING a.reserved <> coalesce(sum(h.amount) FILTER (WHERE h.status = 'HELD'), 0)`,
  );
  const negative = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${s}.accounts WHERE vendor_id IS NOT NULL
        AND (CASE WHEN kind = 'wallet' THEN balance - reserved ELSE credit_limit - balance - reserved END) < 0`,
  );
  return {
    totalDebits: BigInt(totals.rows[0]!.d),
    totalCredits: BigInt(totals.rows[0]!.c),
    balanceMismatches: mismatches.rows,
    balanceAfterMismatches: after.rows.map((r) => r.id),
    unbalancedTransactions: unbalanced.rows[0]!.n,
    reservedMismatches: reserved.rows,
    negativeAvailable: negative.rows[0]!.n,
  };
}

/** Asserts every invariant at once, so a failure shows the whole report. */
export async function expectLedgerConsistent(db: pg.Client, schema: string): Promise<LedgerReport> {
  const report = await ledgerReport(db, schema);
  expect({
    balanced: report.totalDebits === report.totalCredits,
    balanceMismatches: report.balanceMismatches,
    balanceAfterMismatches: report.balanceAfterMismatches,
    unbalancedTransactions: report.unbalancedTransactions,
    reservedMismatches: report.reservedMismatches,
    negativeAvailable: report.negativeAvailable,
  }).toEqual({ balanced: true, balanceMismatches: [], balanceAfterMismatches: [], unbalancedTransactions: 0, reservedMismatches: [], negativeAvailable: 0 });
  return report;
}

export async function vendorAccount(db: pg.Client, schema: string, vendorId: string): Promise<{ id: string; balance: number; reserved: number; available: number }> {
  const { rows } = await db.query<{ id: string; balance: string; reserved: string; available: string }>(
    `SELECT id, balance::text, reserved::text,
            (CASE WHEN kind = 'wallet' THEN balance - reserved ELSE credit_limit - balance - reserved END)::text AS available
       FROM "${schema}".accounts WHERE vendor_id = $1`,
    [vendorId],
  );
  const r = rows[0];
  if (!r) throw new Error(`no account for vendor ${vendorId}`);
  return { id: r.id, balance: Number(r.balance), reserved: Number(r.reserved), available: Number(r.available) };
}
