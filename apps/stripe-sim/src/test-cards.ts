/**
 * Stripe's test PaymentMethod tokens (https://docs.stripe.com/testing#cards) and the outcome each one drives.
 * Declines use Stripe's codes and customer-facing messages.
 */
export interface CardDecline {
  code: string;
  decline_code: string;
  message: string;
}

export interface TestCard {
  brand: string;
  last4: string;
  funding: 'credit' | 'debit' | 'prepaid';
  country: string;
  decline?: CardDecline;
}

const DECLINED = 'Your card was declined.';

export const TEST_CARDS: Readonly<Record<string, TestCard>> = {
  pm_card_visa: { brand: 'visa', last4: '4242', funding: 'credit', country: 'US' },
  pm_card_visa_debit: { brand: 'visa', last4: '5556', funding: 'debit', country: 'US' },
  pm_card_mastercard: { brand: 'mastercard', last4: '4444', funding: 'credit', country: 'US' },
  pm_card_amex: { brand: 'amex', last4: '8431', funding: 'credit', country: 'US' },
  pm_card_gb: { brand: 'visa', last4: '0031', funding: 'credit', country: 'GB' },
  pm_card_chargeDeclined: {
    brand: 'visa', last4: '0002', funding: 'credit', country: 'US',
    decline: { code: 'card_declined', decline_code: 'generic_decline', message: DECLINED },
  },
  pm_card_chargeDeclinedInsufficientFunds: {
    brand: 'visa', last4: '9995', funding: 'credit', country: 'US',
    decline: { code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' },
  },
  pm_card_chargeDeclinedLostCard: {
    brand: 'visa', last4: '9987', funding: 'credit', country: 'US',
    decline: { code: 'card_declined', decline_code: 'lost_card', message: DECLINED },
  },
  pm_card_chargeDeclinedStolenCard: {
    brand: 'visa', last4: '9979', funding: 'credit', country: 'US',
    decline: { code: 'card_declined', decline_code: 'stolen_card', message: DECLINED },
  },
  pm_card_chargeDeclinedFraudulent: {
    brand: 'visa', last4: '0019', funding: 'credit', country: 'US',
    decline: { code: 'card_declined', decline_code: 'fraudulent', message: DECLINED },
  },
  pm_card_chargeDeclinedExpiredCard: {
    brand: 'visa', last4: '0069', funding: 'credit', country: 'US',
    decline: { code: 'expired_card', decline_code: 'expired_card', message: 'Your card has expired.' },
  },
  pm_card_chargeDeclinedIncorrectCvc: {
    brand: 'visa', last4: '0127', funding: 'credit', country: 'US',
    decline: { code: 'incorrect_cvc', decline_code: 'incorrect_cvc', message: "Your card's security code is incorrect." },
  },
  pm_card_chargeDeclinedProcessingError: {
    brand: 'visa', last4: '0119', funding: 'credit', country: 'US',
    decline: { code: 'processing_error', decline_code: 'processing_error', message: 'An error occurred while processing your card. Try again in a little bit.' },
  },
};

/** Decline reasons accepted by POST /__sim/payment_intents/:id/fail. */
export const DECLINE_BY_CODE: Readonly<Record<string, string>> = {
  generic_decline: 'pm_card_chargeDeclined',
  insufficient_funds: 'pm_card_chargeDeclinedInsufficientFunds',
  lost_card: 'pm_card_chargeDeclinedLostCard',
  stolen_card: 'pm_card_chargeDeclinedStolenCard',
  fraudulent: 'pm_card_chargeDeclinedFraudulent',
  expired_card: 'pm_card_chargeDeclinedExpiredCard',
  incorrect_cvc: 'pm_card_chargeDeclinedIncorrectCvc',
  processing_error: 'pm_card_chargeDeclinedProcessingError',
};
