import { ApnRulesError, apnFor, parseApnRules } from './apn-rules';
import { INSTALL_LANGUAGES, appleOneTapInstallUrl, installSteps } from './install-steps';

const facts = { smdpAddress: 'rsp.example.com', activationCode: 'K2-ABC', lpa: 'LPA:1$rsp.example.com$K2-ABC', apn: null };

describe('install steps', () => {
  it.each(INSTALL_LANGUAGES)('%s: fills in the SM-DP+ address and activation code (iPhone) and the whole LPA string (Android)', (language) => {
    const steps = installSteps(language, facts);
    expect(steps.ios.join(' ')).toContain('rsp.example.com');
    expect(steps.ios.join(' ')).toContain('K2-ABC');
    expect(steps.android.join(' ')).toContain('LPA:1$rsp.example.com$K2-ABC');
    expect(steps.ios.join(' ')).not.toContain('APN');
  });

  it('adds an APN step on both platforms only when the bundle needs one', () => {
    const steps = installSteps('de', { ...facts, apn: 'internet.example' });
    expect(steps.ios.at(-1)).toContain('internet.example');
    expect(steps.android.at(-1)).toContain('internet.example');
    expect(steps.ios).toHaveLength(installSteps('de', facts).ios.length + 1);
  });

  it("builds Apple's one-tap link with the LPA string as carddata", () => {
    expect(appleOneTapInstallUrl('LPA:1$rsp.example.com$K2-ABC')).toBe('https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=LPA:1$rsp.example.com$K2-ABC');
    expect(appleOneTapInstallUrl('LPA:1$a.b$x&y')).toBe('https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=LPA:1$a.b$x%26y');
  });
});

describe('APN rules', () => {
  it('matches bundle-name globs, first rule first; none by default', () => {
    const rules = parseApnRules('esim_*_US_*=fast.example.com, esim_1GB_7D_FR_V2=fr.example');
    expect(apnFor(rules, ['esim_1GB_7D_US_V2'])).toBe('fast.example.com');
    expect(apnFor(rules, ['esim_2GB_7D_DE_V2', 'esim_1GB_7D_FR_V2'])).toBe('fr.example');
    expect(apnFor(rules, ['esim_1GB_7D_FRX_V2'])).toBeNull();
    expect(apnFor(parseApnRules(undefined), ['esim_1GB_7D_US_V2'])).toBeNull();
    expect(apnFor(parseApnRules(''), ['x'])).toBeNull();
  });

  it.each(['esim_*', 'a=b=c', '=apn', 'esim(.*)=apn', 'esim_*=-bad-'])('refuses %p', (text) => {
    expect(() => parseApnRules(text)).toThrow(ApnRulesError);
  });
});
