import { quote, SIM_CARRIERS } from './rates';

/**
 * GET /products and POST /shipments/getrates of the v1 simulator, from the ListProducts and
 * GetRates sections of test/specs/shipstation/shipstation-v1-openapi.ballerina.yaml. The field
 * table of getrates is what is checked (its generated schema marks optional fields required).
 */

export interface SimProduct {
  sku: string;
  name?: string;
  weightOz?: number;
  length?: number;
  width?: number;
  height?: number;
  category?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function listProductsAnswer(products: readonly SimProduct[], q: URLSearchParams, createDate: string) {
  const page = Math.max(1, Number(q.get('page') ?? 1) || 1);
  const pageSize = Math.min(500, Math.max(1, Number(q.get('pageSize') ?? 100) || 100));
  const sku = q.get('sku');
  const matched = products.filter((p) => !sku || p.sku === sku);
  return {
    products: matched.slice((page - 1) * pageSize, page * pageSize).map((p, i) => ({
      aliases: null,
      productId: 900_000_001 + products.indexOf(p) + i * 0,
      sku: p.sku,
      name: p.name ?? p.sku,
      price: 0,
      defaultCost: null,
      length: p.length ?? null,
      width: p.width ?? null,
      height: p.height ?? null,
      weightOz: p.weightOz ?? null,
      internalNotes: null,
      fulfillmentSku: null,
      createDate,
      modifyDate: createDate,
      active: true,
      productCategory: p.category ? { categoryId: 1 + [...new Set(products.map((x) => x.category))].indexOf(p.category), name: p.category } : null,
      productType: null,
      warehouseLocation: null,
      defaultCarrierCode: null,
      defaultServiceCode: null,
      defaultPackageCode: null,
      defaultIntlCarrierCode: null,
      defaultIntlServiceCode: null,
      defaultIntlPackageCode: null,
      defaultConfirmation: null,
      defaultIntlConfirmation: null,
      customsDescription: null,
      customsValue: null,
      customsTariffNo: null,
      customsCountryCode: null,
      noCustoms: null,
      tags: null,
    })),
    total: matched.length,
    page,
    pages: Math.ceil(matched.length / pageSize),
  };
}

const WEIGHT_UNITS: Record<string, number> = { ounces: 1, pounds: 16, grams: 1 / 28.3495 };

/** getrates: the rates of one carrier, or the ModelState-style problems of the request. */
export function getRatesAnswer(body: unknown): { rates: Array<{ serviceName: string; serviceCode: string; shipmentCost: number; otherCost: number }> } | { errors: Record<string, string[]> } | { message: string } {
  const b = isObject(body) ? body : {};
  const errors: Record<string, string[]> = {};
  const str = (k: string) => (typeof b[k] === 'string' && (b[k] as string).trim() !== '' ? (b[k] as string) : undefined);
  for (const k of ['carrierCode', 'fromPostalCode', 'toCountry', 'toPostalCode']) if (!str(k)) errors[`request.${k}`] = [`The ${k} field is required.`];
  const w = isObject(b.weight) ? b.weight : undefined;
  const factor = w && typeof w.units === 'string' ? WEIGHT_UNITS[w.units] : undefined;
  if (!w || typeof w.value !== 'number' || !(w.value > 0) || factor === undefined) errors['request.weight'] = ['The weight field is required: { value > 0, units: pounds | ounces | grams }.'];
  const carrier = str('carrierCode');
  // The table: toState "is required for the following carriers: UPS".
  if (carrier === 'ups' && !str('toState')) errors['request.toState'] = ['The toState field is required for UPS.'];
  if (Object.keys(errors).length > 0) return { errors };
  if (!SIM_CARRIERS.includes(carrier!)) return { message: `The carrier ${carrier} is not connected to this account.` };
  const oz = (w!.value as number) * factor!;
  const rates = quote(carrier!, oz, str('fromPostalCode')!, str('toPostalCode')!, str('toCountry') === 'US', b.residential === true).filter((x) => !str('serviceCode') || x.service.serviceCode === str('serviceCode'));
  return { rates: rates.map((r) => ({ serviceName: r.service.serviceName, serviceCode: r.service.serviceCode, shipmentCost: r.shipmentCost, otherCost: r.otherCost })) };
}
