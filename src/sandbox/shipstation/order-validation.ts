import { toPacificKey } from './pacific-time';

/**
 * Validation of a createorder / createorders body against the Order model table in the
 * v1 spec (`/orders/createorder` description). Errors use ShipStation's ASP.NET Web API
 * shape: a `ModelState` map from `apiOrder.<path>` to messages, which ShipStation answers
 * under `{"Message":"The request is invalid.","ModelState":{...}}` with HTTP 400.
 *
 * Deliberately stricter than the real service in one way: ShipStation's JSON binder
 * silently coerces `123` into `"123"`; we reject it so a client that sends the wrong JSON
 * type is caught here instead of passing by luck.
 */

export type ModelState = Record<string, string[]>;

/** Statuses the createorder table allows a client to send. */
export const WRITABLE_STATUSES = ['awaiting_payment', 'awaiting_shipment', 'shipped', 'on_hold', 'cancelled'] as const;
/** Statuses the ListOrders `orderStatus` enum knows (adds `pending_fulfillment`). */
export const ALL_STATUSES = [...WRITABLE_STATUSES, 'pending_fulfillment'] as const;
const CONFIRMATIONS = ['none', 'delivery', 'signature', 'adult_signature', 'direct_signature'];
const WEIGHT_UNITS = ['pounds', 'ounces', 'grams'];
const DIMENSION_UNITS = ['inches', 'centimeters'];
const ADDRESS_STRINGS = ['name', 'company', 'street1', 'street2', 'street3', 'city', 'state', 'postalCode', 'country', 'phone'];

export interface ValidationContext {
  storeIds: ReadonlySet<number>;
  warehouseIds: ReadonlySet<number>;
}

type Obj = Record<string, unknown>;

export function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isAbsent = (v: unknown) => v === undefined || v === null;

class Collector {
  readonly state: ModelState = {};
  constructor(private readonly prefix: string) {}
  add(path: string, message: string): void {
    const key = path ? `${this.prefix}.${path}` : this.prefix;
    (this.state[key] ??= []).push(message);
  }
  string(o: Obj, field: string, path: string): void {
    const v = o[field];
    if (!isAbsent(v) && typeof v !== 'string') this.add(path, `Error converting value to type 'String' for ${field}.`);
  }
  number(o: Obj, field: string, path: string): void {
    const v = o[field];
    if (!isAbsent(v) && (typeof v !== 'number' || !Number.isFinite(v))) {
      this.add(path, `Error converting value to type 'Decimal' for ${field}.`);
    }
  }
  integer(o: Obj, field: string, path: string): void {
    const v = o[field];
    if (!isAbsent(v) && !Number.isInteger(v)) this.add(path, `Error converting value to type 'Int32' for ${field}.`);
  }
  boolean(o: Obj, field: string, path: string): void {
    const v = o[field];
    if (!isAbsent(v) && typeof v !== 'boolean') this.add(path, `Error converting value to type 'Boolean' for ${field}.`);
  }
  date(o: Obj, field: string, path: string): void {
    const v = o[field];
    if (isAbsent(v)) return;
    if (typeof v !== 'string' || toPacificKey(v) === null) this.add(path, `Could not convert string to DateTime: ${String(v)}.`);
  }
  oneOf(o: Obj, field: string, path: string, allowed: readonly string[]): void {
    const v = o[field];
    if (!isAbsent(v) && (typeof v !== 'string' || !allowed.includes(v))) {
      this.add(path, `Invalid ${field} '${String(v)}'. Allowed values: ${allowed.join(', ')}.`);
    }
  }
  object(o: Obj, field: string, path: string): Obj | undefined {
    const v = o[field];
    if (isAbsent(v)) return undefined;
    if (!isObject(v)) {
      this.add(path, `Cannot deserialize ${field}: a JSON object is required.`);
      return undefined;
    }
    return v;
  }
}

function checkAddress(c: Collector, order: Obj, field: 'billTo' | 'shipTo'): void {
  if (isAbsent(order[field])) {
    c.add(field, `The ${field} field is required.`);
    return;
  }
  const a = c.object(order, field, field);
  if (!a) return;
  for (const f of ADDRESS_STRINGS) c.string(a, f, `${field}.${f}`);
  c.boolean(a, 'residential', `${field}.residential`);
}

function checkWeight(c: Collector, w: Obj | undefined, path: string): void {
  if (!w) return;
  if (typeof w.value !== 'number' || !Number.isFinite(w.value) || w.value < 0) c.add(`${path}.value`, 'Weight value must be a non-negative number.');
  c.oneOf(w, 'units', `${path}.units`, WEIGHT_UNITS);
}

function checkItem(c: Collector, item: unknown, path: string): void {
  if (!isObject(item)) {
    c.add(path, 'Each item must be a JSON object.');
    return;
  }
  for (const f of ['lineItemKey', 'sku', 'name', 'imageUrl', 'warehouseLocation', 'fulfillmentSku', 'upc']) c.string(item, f, `${path}.${f}`);
  c.integer(item, 'quantity', `${path}.quantity`);
  if (Number.isInteger(item.quantity) && (item.quantity as number) < 0) c.add(`${path}.quantity`, 'Quantity cannot be negative.');
  for (const f of ['unitPrice', 'taxAmount', 'shippingAmount']) c.number(item, f, `${path}.${f}`);
  c.integer(item, 'productId', `${path}.productId`);
  c.boolean(item, 'adjustment', `${path}.adjustment`);
  checkWeight(c, c.object(item, 'weight', `${path}.weight`), `${path}.weight`);
  const options = item.options;
  if (!isAbsent(options)) {
    if (!Array.isArray(options)) c.add(`${path}.options`, 'options must be an array of {name, value}.');
    else options.forEach((o, i) => {
      if (!isObject(o)) c.add(`${path}.options[${i}]`, 'Each option must be a JSON object.');
      else {
        c.string(o, 'name', `${path}.options[${i}].name`);
        c.string(o, 'value', `${path}.options[${i}].value`);
      }
    });
  }
}

/**
 * Checks one Order body. Returns an empty map when valid. `prefix` is the Web API parameter
 * name ShipStation reports (`apiOrder` for createorder, `apiOrders[i]` for createorders).
 */
export function validateOrderBody(body: unknown, ctx: ValidationContext, prefix = 'apiOrder'): ModelState {
  const c = new Collector(prefix);
  if (!isObject(body)) {
    c.add('', "Cannot deserialize the current JSON value into type 'SS.OpenApi.Models.Orders.Order' because the type requires a JSON object.");
    return c.state;
  }
  if (typeof body.orderNumber !== 'string' || body.orderNumber.trim() === '') c.add('orderNumber', 'The orderNumber field is required.');
  c.string(body, 'orderKey', 'orderKey');
  if (isAbsent(body.orderDate)) c.add('orderDate', 'The orderDate field is required.');
  for (const f of ['orderDate', 'paymentDate', 'shipByDate', 'shipDate', 'holdUntilDate']) c.date(body, f, f);
  if (isAbsent(body.orderStatus)) c.add('orderStatus', 'The orderStatus field is required.');
  else c.oneOf(body, 'orderStatus', 'orderStatus', WRITABLE_STATUSES);
  for (const f of [
    'customerUsername', 'customerEmail', 'customerNotes', 'internalNotes', 'giftMessage', 'paymentMethod',
    'requestedShippingService', 'carrierCode', 'serviceCode', 'packageCode',
  ]) c.string(body, f, f);
  c.oneOf(body, 'confirmation', 'confirmation', CONFIRMATIONS);
  checkAddress(c, body, 'billTo');
  checkAddress(c, body, 'shipTo');
  if (!isAbsent(body.items)) {
    if (!Array.isArray(body.items)) c.add('items', 'items must be an array of OrderItem.');
    else body.items.forEach((it, i) => checkItem(c, it, `items[${i}]`));
  }
  for (const f of ['amountPaid', 'taxAmount', 'shippingAmount']) c.number(body, f, f);
  c.boolean(body, 'gift', 'gift');
  checkWeight(c, c.object(body, 'weight', 'weight'), 'weight');
  const dims = c.object(body, 'dimensions', 'dimensions');
  if (dims) {
    c.oneOf(dims, 'units', 'dimensions.units', DIMENSION_UNITS);
    for (const f of ['length', 'width', 'height']) c.number(dims, f, `dimensions.${f}`);
  }
  const ins = c.object(body, 'insuranceOptions', 'insuranceOptions');
  if (ins) {
    c.string(ins, 'provider', 'insuranceOptions.provider');
    c.boolean(ins, 'insureShipment', 'insuranceOptions.insureShipment');
    c.number(ins, 'insuredValue', 'insuranceOptions.insuredValue');
  }
  c.object(body, 'internationalOptions', 'internationalOptions');
  const adv = c.object(body, 'advancedOptions', 'advancedOptions');
  if (adv) {
    c.integer(adv, 'warehouseId', 'advancedOptions.warehouseId');
    c.integer(adv, 'storeId', 'advancedOptions.storeId');
    if (Number.isInteger(adv.warehouseId) && !ctx.warehouseIds.has(adv.warehouseId as number)) {
      c.add('advancedOptions.warehouseId', `Warehouse ${String(adv.warehouseId)} was not found.`);
    }
    if (Number.isInteger(adv.storeId) && !ctx.storeIds.has(adv.storeId as number)) {
      c.add('advancedOptions.storeId', `Store ${String(adv.storeId)} was not found.`);
    }
    for (const f of ['customField1', 'customField2', 'customField3', 'source']) c.string(adv, f, `advancedOptions.${f}`);
    for (const f of ['nonMachinable', 'saturdayDelivery', 'containsAlcohol']) c.boolean(adv, f, `advancedOptions.${f}`);
  }
  if (!isAbsent(body.tagIds) && (!Array.isArray(body.tagIds) || !body.tagIds.every((t) => Number.isInteger(t)))) {
    c.add('tagIds', 'tagIds must be an array of integers.');
  }
  return c.state;
}

/** One line per error, as ShipStation puts it in a createorders result's `errorMessage`. */
export function flattenModelState(state: ModelState): string {
  return Object.entries(state)
    .map(([k, msgs]) => `${k}: ${msgs.join(' ')}`)
    .join(' ');
}
