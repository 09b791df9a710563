import type { Money } from '@ttelgo/contracts';

/**
 * Formats integer minor units for people: { 1299, USD } -> "$12.99", { 1299, JPY } -> "¥1,299".
 * The number of minor digits is the currency's own (ISO 4217 as Intl knows it), and the value is handed to
 * Intl as a decimal string, so no float rounding can change a cent.
 */
export function formatMoney(money: Money, locale = 'en-US'): string {
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency: money.currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  const text = String(money.amount).padStart(digits + 1, '0');
  const decimal = digits === 0 ? text : `${text.slice(0, text.length - digits)}.${text.slice(text.length - digits)}`;
  // Intl.NumberFormat.format accepts decimal strings (ES2023 Intl.NumberFormat v3) and keeps them exact.
  return format.format(decimal as unknown as number);
}
