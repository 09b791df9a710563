/** The drills' table: on the console, and as Markdown for docs/reliability.md (`--markdown FILE`). */
import type { DrillResult } from './run-drill';

const yesNo = (b: boolean) => (b ? 'yes' : 'NO');

const COLUMNS: Array<[string, (r: DrillResult) => string]> = [
  ['drill', (r) => r.name],
  ['accepted', (r) => String(r.accepted)],
  ['lost', (r) => String(r.lost)],
  ['duplicated', (r) => String(r.duplicated)],
  ['ledger balanced', (r) => yesNo(r.ledgerBalanced)],
  ['wallets never negative', (r) => yesNo(r.walletsNeverNegative)],
  ['dead letters', (r) => String(r.deadLetters)],
  ['eSIM Go peak req/s', (r) => String(r.esimGoPeakPerSecond)],
  ['jobs once per period', (r) => yesNo(r.jobsOncePerPeriod)],
  ['misdirected replies', (r) => String(r.misdirectedReplies)],
  ['crashes', (r) => String(r.crashes)],
  ['result', (r) => (r.passed ? 'pass' : 'FAIL')],
];

export function printTable(results: DrillResult[]): void {
  const widths = COLUMNS.map(([title, cell]) => Math.max(title.length, ...results.map((r) => cell(r).length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\n${line(COLUMNS.map(([t]) => t))}`);
  for (const r of results) console.log(line(COLUMNS.map(([, cell]) => cell(r))));
}

export function markdownTable(results: DrillResult[]): string {
  const rows = [`| ${COLUMNS.map(([t]) => t).join(' | ')} |`, `|${COLUMNS.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const r of results) rows.push(`| ${COLUMNS.map(([, cell]) => cell(r)).join(' | ')} |`);
  return rows.join('\n');
}

export function faultList(results: DrillResult[]): string {
  return results.map((r) => `- \`${r.name}\`: ${r.fault} (${r.seconds} s; final statuses ${Object.entries(r.byStatus).map(([s, n]) => `${s} ${n}`).join(', ')})`).join('\n');
}
