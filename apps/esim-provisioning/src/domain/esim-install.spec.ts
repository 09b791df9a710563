import { appleInstallUrlOf, expiryOf, lpaOf, toInstall } from './esim-install';

describe('eSIM install data', () => {
  it('builds the LPA activation code and the Apple install link from SM-DP+ and matching id', () => {
    const lpa = lpaOf('rsp.example.com', 'A1B2-C3D4-E5F6-G7H8');
    expect(lpa).toBe('LPA:1$rsp.example.com$A1B2-C3D4-E5F6-G7H8');
    expect(appleInstallUrlOf(lpa)).toBe('https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=LPA:1$rsp.example.com$A1B2-C3D4-E5F6-G7H8');
    expect(() => new URL(appleInstallUrlOf(lpa))).not.toThrow();
  });

  it('counts the expiry from provisioning when the duration is known, else leaves it null', () => {
    const at = new Date('2026-11-28T10:00:00.000Z');
    expect(expiryOf(at, 7)?.toISOString()).toBe('2026-12-05T10:00:00.000Z');
    expect(expiryOf(at, null)).toBeNull();
    expect(expiryOf(at, 0)).toBeNull();
    expect(toInstall({ iccid: '8944530000000000001', smdpAddress: 's', matchingId: 'm' }, at, 30)).toEqual({
      iccid: '8944530000000000001',
      smdpAddress: 's',
      matchingId: 'm',
      lpa: 'LPA:1$s$m',
      appleInstallUrl: 'https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=LPA:1$s$m',
      expiresAt: new Date('2026-12-28T10:00:00.000Z'),
    });
  });
});
