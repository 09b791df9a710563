/**
 * Which bundles need an APN set by hand. Most eSIM profiles bring their APN with them, so by default none does; an
 * operator lists the exceptions in INSTALL_APN_RULES as `<bundle-name glob>=<apn>` pairs separated by commas
 * (`esim_*_US_*=fast.example.com,esim_10GB_30D_JP_V2=jp.example`). The first matching rule wins.
 */
export interface ApnRule {
  pattern: string;
  apn: string;
  regex: RegExp;
}

const GLOB = /^[A-Za-z0-9_.*-]{1,200}$/;
const APN = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,98}[A-Za-z0-9])?$/;

export class ApnRulesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApnRulesError';
  }
}

/** Throws ApnRulesError naming the bad entry. */
export function parseApnRules(text: string | undefined): ApnRule[] {
  if (text === undefined || text.trim() === '') return [];
  return text.split(',').map((entry) => {
    const [pattern, apn, ...rest] = entry.trim().split('=');
    if (!pattern || !apn || rest.length > 0 || !GLOB.test(pattern) || !APN.test(apn)) {
      throw new ApnRulesError(`'${entry.trim()}' is not <bundle-name glob>=<apn> (glob: letters, digits, _ . - and *; apn: a host-like name)`);
    }
    const source = pattern.replace(/[.]/g, '\\.').replace(/\*/g, '.*');
    return { pattern, apn, regex: new RegExp(`^${source}$`) };
  });
}

/** The APN the first matching rule gives any of the eSIM's bundles, or null when none needs one. */
export function apnFor(rules: readonly ApnRule[], bundleNames: readonly string[]): string | null {
  for (const rule of rules) {
    if (bundleNames.some((name) => rule.regex.test(name))) return rule.apn;
  }
  return null;
}
