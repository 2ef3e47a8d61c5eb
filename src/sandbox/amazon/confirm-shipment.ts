import { z } from 'zod';

/**
 * `ConfirmShipmentRequest` from ordersV0.json, read independently of src/amazon. Swagger 2
 * objects allow extra properties, so unknown keys are tolerated (and kept when recorded).
 */
export const ConfirmShipmentRequest = z.looseObject({
  marketplaceId: z.string(),
  codCollectionMethod: z.enum(['DirectPayment']).optional(),
  packageDetail: z.looseObject({
    // "Only positive numeric values are supported." (PackageReferenceId description)
    packageReferenceId: z.string().regex(/^[1-9][0-9]*$/, 'must be a positive number'),
    carrierCode: z.string(),
    carrierName: z.string().optional(),
    shippingMethod: z.string().optional(),
    trackingNumber: z.string(),
    // The spec's sandbox rejects "02/21/2022" with 400; ISO 8601 date-time is required.
    shipDate: z.iso.datetime({ offset: true }),
    shipFromSupplySourceId: z.string().optional(),
    orderItems: z.array(
      z.looseObject({
        orderItemId: z.string(),
        quantity: z.number().int(),
        transparencyCodes: z.array(z.string()).optional(),
      }),
    ),
  }),
});
export type ConfirmShipmentRequest = z.infer<typeof ConfirmShipmentRequest>;

/** Turns a zod failure into the one-line `details` an SP-API ErrorList carries. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(body)'}: ${issue.message}`)
    .join('; ');
}
