import { GetBundleV1 } from '@ttelgo/contracts';
import type { RpcServer } from '@ttelgo/messaging';
import type { GetBundleUseCase } from '../../application/get-bundle.use-case';

/** esim.get-bundle.v1 (optional vendor markupBps); an unknown name surfaces as BUNDLE_NOT_FOUND (404) through the RPC error mapping. */
export function registerGetBundleRpc(server: RpcServer, useCase: GetBundleUseCase): void {
  server.handle(GetBundleV1, async (req) => ({ bundle: await useCase.execute(req.name, req.markupBps) }));
}
