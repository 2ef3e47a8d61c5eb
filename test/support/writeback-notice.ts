import type { WritebackNotice } from '../../src/writeback/writeback-alert';

/** A confirmation Amazon refused, as the writeback job reports it; tests override what they check. */
export function refusedConfirmation(over: Partial<WritebackNotice> & Pick<WritebackNotice, 'amazonOrderId'>): WritebackNotice {
  return {
    key: 'writeback:shipment:4242',
    kind: 'confirmation_quarantined',
    accountId: 'default',
    labelId: 'shipment:4242',
    trackingNumber: '1Z999AA10123456784',
    carrier: 'UPS',
    code: 'writeback.rejected',
    message: 'Amazon refused the carrier code',
    hint: 'Map the carrier, then press Retry',
    fix: 'retry_confirmation',
    ...over,
  };
}
