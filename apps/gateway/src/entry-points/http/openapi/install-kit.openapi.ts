import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { CompatibleDevicesQuerySchema, CompatibleDevicesResponseSchema, IccidParamsSchema, InstallKitResponseSchema } from '@ttelgo/contracts';
import { z } from 'zod';
import { apiKeySecurity, bearerSecurity, commonRequestHeaders, commonResponseHeaders, problemResponses, vendorResponseHeaders } from './common.openapi';

const InstallKitDoc = InstallKitResponseSchema.meta({
  id: 'InstallKit',
  description: 'Everything needed to install one eSIM: steps for iPhone and Android in the asked language, manual-entry data, Apple\'s one-tap link, the APN when the bundle needs one.',
});
const CompatibleDevicesDoc = CompatibleDevicesResponseSchema.meta({ id: 'CompatibleDevices', description: 'eSIM-capable devices, with the sources and the date the list was checked.' });

const installHeaders = commonRequestHeaders.extend({
  'Accept-Language': z
    .string()
    .optional()
    .meta({ description: 'The language of the steps: en, fr, de or es (regional tags such as fr-CA match); anything else is English.' }),
});
const contentLanguage = { 'Content-Language': z.string().meta({ description: 'The language of the steps.' }) };

const lpa = 'LPA:1$rsp.esim-go.example$K2-1ABCD-2EFGH';
const kitExample = {
  iccid: '8944000000000000123',
  language: 'fr',
  smdpAddress: 'rsp.esim-go.example',
  activationCode: 'K2-1ABCD-2EFGH',
  lpa,
  appleInstallUrl: `https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=${lpa}`,
  qrCodeUrl: '/api/v1/esims/8944000000000000123/qrcode',
  apn: null,
  steps: {
    ios: [
      'Connectez-vous au Wi-Fi avant de commencer, et ne supprimez pas l\'eSIM une fois installée : elle ne peut en général pas être réinstallée.',
      'Sur cet iPhone (iOS 17.4 ou ultérieur), touchez le lien d\'installation et suivez les instructions.',
      '…',
    ],
    android: ['Connectez-vous au Wi-Fi avant de commencer, …', 'Paramètres > Réseau et Internet (Connexions sur Samsung) > SIM > Ajouter une eSIM (ou « Télécharger une SIM »), puis scannez le code QR.', '…'],
  },
};
const json = <T>(schema: T, example: unknown) => ({ content: { 'application/json': { schema, example } } });

/** Install kits (`/esims/{iccid}/install`, `/vendor/esims/{iccid}/install`) and `/devices/compatible`. */
export function registerInstallKitOpenApi(registry: OpenAPIRegistry): void {
  registry.registerPath({
    tags: ['eSIMs'],
    security: bearerSecurity,
    method: 'get',
    path: '/api/v1/esims/{iccid}/install',
    operationId: 'getEsimInstallKit',
    summary: 'How to install my eSIM',
    description: 'Another customer\'s eSIM is 404 `ESIM_NOT_FOUND`, exactly like one that does not exist. `Cache-Control: private, no-store` (it holds the activation code).',
    request: { params: IccidParamsSchema, headers: installHeaders },
    responses: {
      200: { description: 'The install kit.', headers: commonResponseHeaders.extend(contentLanguage), ...json(InstallKitDoc, kitExample) },
      ...problemResponses([400, 401, 403, 404, 429, 500, 502, 503, 504]),
    },
  });

  registry.registerPath({
    tags: ['Reseller'],
    security: apiKeySecurity,
    method: 'get',
    path: '/api/v1/vendor/esims/{iccid}/install',
    operationId: 'getVendorEsimInstallKit',
    summary: 'How to install one of my eSIMs (to pass on to my customer)',
    description: 'Another vendor\'s eSIM is 404 `ESIM_NOT_FOUND`, exactly like one that does not exist.',
    request: { params: IccidParamsSchema, headers: installHeaders },
    responses: {
      200: {
        description: 'The install kit.',
        headers: vendorResponseHeaders.extend(contentLanguage),
        ...json(InstallKitDoc, { ...kitExample, language: 'en', qrCodeUrl: '/api/v1/vendor/esims/8944000000000000123/qrcode', apn: 'internet.example', steps: { ios: ['Connect to Wi-Fi before you start, …', '…', 'If data does not start: Settings > Mobile Service > your travel line > Mobile Data Network, and set the APN to internet.example.'], android: ['…'] } }),
      },
      ...problemResponses([400, 401, 403, 404, 429, 500, 502, 503, 504]),
    },
  });

  registry.registerPath({
    tags: ['Catalogue'],
    method: 'get',
    path: '/api/v1/devices/compatible',
    operationId: 'listCompatibleDevices',
    summary: 'eSIM-capable devices',
    description: 'A maintained list (data in the repository), with its sources and the date it was checked. `brand` keeps one brand. `Cache-Control: public, max-age=3600`.',
    request: { query: CompatibleDevicesQuerySchema, headers: commonRequestHeaders },
    responses: {
      200: {
        description: 'The devices.',
        headers: commonResponseHeaders,
        ...json(CompatibleDevicesDoc, {
          updatedAt: '2026-12-08',
          sources: [{ name: 'Google Pixel Help: Use an eSIM on your Pixel phone', url: 'https://support.google.com/pixelphone/' }],
          data: [
            { brand: 'Google', model: 'Pixel 9', type: 'phone' },
            { brand: 'Google', model: 'Pixel 3', type: 'phone', notes: 'Not the units sold in Australia, Taiwan and Japan.' },
          ],
        }),
      },
      ...problemResponses([400, 429, 500]),
    },
  });
}
