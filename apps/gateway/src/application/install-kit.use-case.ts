/**
 * The install kit of one eSIM: its install data from esim-provisioning (which answers ESIM_NOT_FOUND for anyone but
 * its owner, so another caller's ICCID is 404), with the steps in the asked language and the APN where the bundle
 * needs one. And the list of eSIM-capable devices, which is data kept in the repository.
 */
import { GetEsimV1, InstallKitResponseSchema, type CompatibleDevicesQuery, type CompatibleDevicesResponse, type InstallKitResponse, type Owner } from '@ttelgo/contracts';
import { apnFor, type ApnRule } from '../domain/install-kit/apn-rules';
import devicesFile from '../domain/install-kit/esim-devices.json';
import { appleOneTapInstallUrl, installSteps, type InstallLanguage } from '../domain/install-kit/install-steps';
import type { ServiceCaller } from '../rpc/service.caller';
import { toPublic } from './public-response';

export async function getInstallKit(
  esim: ServiceCaller,
  input: { owner: Owner; iccid: string; language: InstallLanguage; apnRules: readonly ApnRule[]; qrCodeUrl: string },
): Promise<InstallKitResponse> {
  const view = await esim.call(GetEsimV1, { owner: input.owner, iccid: input.iccid });
  const apn = apnFor(input.apnRules, [view.bundleName, ...(view.bundles ?? []).map((b) => b.bundleName)]);
  const facts = { smdpAddress: view.smdpAddress, activationCode: view.matchingId, lpa: view.lpa, apn };
  return toPublic(InstallKitResponseSchema, {
    iccid: view.iccid,
    language: input.language,
    smdpAddress: view.smdpAddress,
    activationCode: view.matchingId,
    lpa: view.lpa,
    appleInstallUrl: appleOneTapInstallUrl(view.lpa),
    qrCodeUrl: input.qrCodeUrl,
    apn,
    steps: installSteps(input.language, facts),
  });
}

export function listCompatibleDevices(query: CompatibleDevicesQuery): CompatibleDevicesResponse {
  const brand = query.brand?.toLowerCase();
  const devices = devicesFile.devices as CompatibleDevicesResponse['data'];
  return {
    updatedAt: devicesFile.updatedAt,
    sources: devicesFile.sources,
    data: brand ? devices.filter((d) => d.brand.toLowerCase() === brand) : devices,
  };
}
