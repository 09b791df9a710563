/** Every billing.* RPC (queue ttelgo.rpc.billing); BillingError codes reach the caller as they are. */
import {
  AdjustBalanceV1,
  CreateTopupV1,
  CreateVendorV1,
  GetBalanceV1,
  GetStatementV1,
  GetVendorV1,
  ListLedgerV1,
  ListVendorsV1,
  RecordPaymentV1,
  UpdateVendorV1,
} from '@ttelgo/contracts';
import type { RpcServer } from '@ttelgo/messaging';
import type { AdjustBalanceUseCase } from '../../application/adjust-balance.use-case';
import type { CreateTopupUseCase } from '../../application/create-topup.use-case';
import type { CreateVendorUseCase } from '../../application/create-vendor.use-case';
import type { GetBalanceUseCase } from '../../application/get-balance.use-case';
import type { GetStatementUseCase } from '../../application/get-statement.use-case';
import type { GetVendorUseCase } from '../../application/get-vendor.use-case';
import type { ListLedgerUseCase } from '../../application/list-ledger.use-case';
import type { ListVendorsUseCase } from '../../application/list-vendors.use-case';
import type { RecordPaymentUseCase } from '../../application/record-payment.use-case';
import type { UpdateVendorUseCase } from '../../application/update-vendor.use-case';

export interface BillingRpcUseCases {
  createVendor: CreateVendorUseCase;
  getVendor: GetVendorUseCase;
  listVendors: ListVendorsUseCase;
  updateVendor: UpdateVendorUseCase;
  getBalance: GetBalanceUseCase;
  listLedger: ListLedgerUseCase;
  adjustBalance: AdjustBalanceUseCase;
  recordPayment: RecordPaymentUseCase;
  createTopup: CreateTopupUseCase;
  getStatement: GetStatementUseCase;
}

export function registerBillingRpcs(server: RpcServer, u: BillingRpcUseCases): void {
  server.handle(CreateVendorV1, (req) => u.createVendor.execute(req));
  server.handle(GetVendorV1, (req) => u.getVendor.execute(req));
  server.handle(ListVendorsV1, (req) => u.listVendors.execute(req));
  server.handle(UpdateVendorV1, (req) => u.updateVendor.execute(req));
  server.handle(GetBalanceV1, (req) => u.getBalance.execute(req));
  server.handle(ListLedgerV1, (req) => u.listLedger.execute(req));
  server.handle(AdjustBalanceV1, (req) => u.adjustBalance.execute(req));
  server.handle(RecordPaymentV1, (req) => u.recordPayment.execute(req));
  server.handle(CreateTopupV1, (req) => u.createTopup.execute(req));
  server.handle(GetStatementV1, (req) => u.getStatement.execute(req));
}
