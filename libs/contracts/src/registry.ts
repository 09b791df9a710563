import type { MessageContract } from './define';
import {
  AdjustBalanceV1,
  CaptureFundsV1,
  CreateTopupV1,
  CreateVendorV1,
  FundsCapturedV1,
  FundsRejectedV1,
  FundsReleasedV1,
  FundsReservedV1,
  GetBalanceV1,
  GetStatementV1,
  GetVendorV1,
  ListLedgerV1,
  ListVendorsV1,
  LowBalanceV1,
  ReleaseFundsV1,
  ReserveFundsV1,
  UpdateVendorV1,
  VendorChangedV1,
  WalletCreditedV1,
} from './billing';
import { SetWebhookEndpointV1 } from './notification';
import {
  CatalogueUpdatedV1,
  EsimProvisionedV1,
  EsimProvisioningFailedV1,
  GetBundleV1,
  GetEsimQrCodeV1,
  GetEsimV1,
  ListBundlesV1,
  ListEsimsV1,
  ProvisionEsimV1,
} from './esim';
import { GetOrderV1, ListOrdersV1, OrderCompletedV1, OrderFailedV1, OrderRefundedV1, PlaceOrderV1 } from './order';
import {
  CancelPaymentV1,
  CreatePaymentIntentV1,
  HandleStripeEventV1,
  PaymentCanceledV1,
  PaymentFailedV1,
  PaymentMismatchedV1,
  PaymentRefundedV1,
  PaymentSucceededV1,
  RefundPaymentV1,
} from './payment';

/** Every message contract of the platform. The snapshot test walks this list. */
export const allContracts: readonly MessageContract[] = [
  // esim-provisioning
  ListBundlesV1,
  GetBundleV1,
  CatalogueUpdatedV1,
  ProvisionEsimV1,
  EsimProvisionedV1,
  EsimProvisioningFailedV1,
  GetEsimV1,
  ListEsimsV1,
  GetEsimQrCodeV1,
  // order
  PlaceOrderV1,
  GetOrderV1,
  ListOrdersV1,
  OrderCompletedV1,
  OrderFailedV1,
  OrderRefundedV1,
  // payment
  CreatePaymentIntentV1,
  HandleStripeEventV1,
  PaymentSucceededV1,
  PaymentFailedV1,
  PaymentCanceledV1,
  PaymentRefundedV1,
  PaymentMismatchedV1,
  RefundPaymentV1,
  CancelPaymentV1,
  // vendor-billing
  CreateVendorV1,
  GetVendorV1,
  ListVendorsV1,
  UpdateVendorV1,
  GetBalanceV1,
  ListLedgerV1,
  AdjustBalanceV1,
  CreateTopupV1,
  GetStatementV1,
  ReserveFundsV1,
  CaptureFundsV1,
  ReleaseFundsV1,
  FundsReservedV1,
  FundsRejectedV1,
  FundsCapturedV1,
  FundsReleasedV1,
  LowBalanceV1,
  VendorChangedV1,
  WalletCreditedV1,
  // notification
  SetWebhookEndpointV1,
];

export const contractsByName: ReadonlyMap<string, MessageContract> = new Map(allContracts.map((c) => [c.name, c]));
