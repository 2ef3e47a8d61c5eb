/**
 * The simulator's stand-in for ShipStation's web app: one read-only page answering the order
 * search a person lands on from "Open in ShipStation"
 * (`<app>/orders/all-orders-search-result?quickSearch=<order number>`), so a link drawn against
 * the sandbox opens the sandbox's copy of the order instead of a real account that never saw it.
 *
 * It shows what staff look at to ship the order: number, status, dates, store, warehouse, tags,
 * hold, items and labels. Buyer names, addresses, emails and phones are left out: the page is for
 * checking what Dockhand did, and needs none of them. Pure: data in, HTML out.
 */

/** The path under the simulator's URL where the web app lives (ShipStation's is a host of its own). */
export const SIMULATED_APP_PATH = '/app';
/** The search page's path inside the app, as on ship.shipstation.com. */
export const ORDER_SEARCH_PATH = '/orders/all-orders-search-result';

export interface OrderPageOrder {
  orderId: number;
  orderNumber: string;
  orderKey: string;
  orderStatus: string;
  orderDate: string;
  shipByDate: string | null;
  holdUntilDate: string | null;
  storeName: string;
  warehouseName: string;
  tags: Array<{ name: string; color: string }>;
  items: Array<{ sku: string | null; name: string | null; quantity: number }>;
  labels: Array<{ shipmentId: number; carrierCode: string; serviceCode: string; trackingNumber: string; shipDate: string; voided: boolean; items: number }>;
  fulfillments: Array<{ fulfillmentId: number; carrierCode: string; trackingNumber: string | null; shipDate: string; voided: boolean }>;
}

function esc(s: string | number | null | undefined): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** `awaiting_shipment` → `Awaiting Shipment`, as the web app labels its order tabs. */
function statusWords(status: string): string {
  return status.split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
}

function table(head: string[], rows: string[][]): string {
  if (rows.length === 0) return '<p class="none">none</p>';
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.join('')}</tr>`).join('')}</tbody></table>`;
}

function orderSection(o: OrderPageOrder): string {
  const tags = o.tags.length
    ? o.tags.map((t) => `<span class="tag" style="border-color:${/^#[0-9a-f]{3,8}$/i.test(t.color) ? t.color : '#999'}">${esc(t.name)}</span>`).join(' ')
    : '<span class="none">none</span>';
  const facts: Array<[string, string]> = [
    ['Status', `<span class="status status-${esc(o.orderStatus)}">${esc(statusWords(o.orderStatus))}</span>`],
    ['Order date', esc(o.orderDate)],
    ['Ship by', o.shipByDate ? esc(o.shipByDate) : '<span class="none">—</span>'],
    ...(o.holdUntilDate ? ([['On hold until', esc(o.holdUntilDate)]] as Array<[string, string]>) : []),
    ['Store', esc(o.storeName)],
    ['Warehouse', esc(o.warehouseName)],
    ['Tags', tags],
    ['Order ID', esc(o.orderId)],
    ['Order key', `<code>${esc(o.orderKey)}</code>`],
  ];
  const items = table(
    ['SKU', 'Item', 'Qty'],
    o.items.map((i) => [`<td><code>${esc(i.sku)}</code></td>`, `<td>${esc(i.name)}</td>`, `<td class="num">${esc(i.quantity)}</td>`]),
  );
  const labels = table(
    ['Shipment', 'Carrier', 'Service', 'Tracking', 'Ship date', 'Items', ''],
    o.labels.map((l) => [
      `<td>${esc(l.shipmentId)}</td>`,
      `<td>${esc(l.carrierCode)}</td>`,
      `<td>${esc(l.serviceCode)}</td>`,
      `<td><code>${esc(l.trackingNumber)}</code></td>`,
      `<td>${esc(l.shipDate)}</td>`,
      `<td class="num">${esc(l.items)}</td>`,
      `<td>${l.voided ? '<span class="voided">voided</span>' : ''}</td>`,
    ]),
  );
  const fulfillments = o.fulfillments.length
    ? `<h3>Marked shipped without a label</h3>${table(
        ['Fulfillment', 'Carrier', 'Tracking', 'Ship date', ''],
        o.fulfillments.map((f) => [
          `<td>${esc(f.fulfillmentId)}</td>`,
          `<td>${esc(f.carrierCode)}</td>`,
          `<td><code>${esc(f.trackingNumber)}</code></td>`,
          `<td>${esc(f.shipDate)}</td>`,
          `<td>${f.voided ? '<span class="voided">voided</span>' : ''}</td>`,
        ]),
      )}`
    : '';
  return `<section class="order" data-order-id="${esc(o.orderId)}">
<h2>Order #${esc(o.orderNumber)}</h2>
<dl>${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd data-field="${esc(k.toLowerCase())}">${v}</dd>`).join('')}</dl>
<h3>Items</h3>${items}
<h3>Labels</h3>${labels}${fulfillments}
</section>`;
}

/** The search result page for `query` (empty: nothing searched) and the orders it matched. */
export function renderOrderSearchPage(query: string, orders: OrderPageOrder[]): string {
  const body = !query
    ? '<p>Search for an order number: <code>?quickSearch=&lt;order number&gt;</code>.</p>'
    : orders.length === 0
      ? `<p class="empty">No orders match <code>${esc(query)}</code>. It has not reached this ShipStation account.</p>`
      : orders.map(orderSection).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(query ? `${query} · ` : '')}ShipStation (sandbox)</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#222;background:#f4f6f8}
header{background:#2f3b4c;color:#fff;padding:10px 20px}header b{font-size:16px}header span{opacity:.75;margin-left:10px}
main{padding:16px 20px;max-width:980px}
.order{background:#fff;border:1px solid #d8dde3;border-radius:6px;padding:12px 18px;margin-bottom:16px}
h2{margin:4px 0 10px;font-size:20px}h3{margin:14px 0 6px;font-size:14px;text-transform:uppercase;color:#566}
dl{display:grid;grid-template-columns:140px 1fr;gap:4px 12px;margin:0}dt{color:#667}dd{margin:0}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e6e9ec}th{color:#667;font-weight:600}
.num{text-align:right}.none{color:#999}.voided{color:#b00;font-weight:600}
.tag{display:inline-block;border:2px solid;border-radius:10px;padding:0 8px;font-size:12px}
.status{font-weight:600}.status-shipped{color:#1a7f37}.status-cancelled{color:#b00}.status-on_hold{color:#b36b00}
code{font:12px ui-monospace,monospace;background:#f0f2f4;padding:1px 4px;border-radius:3px}
</style></head>
<body><header><b>ShipStation</b><span>sandbox · read-only view of the simulator's orders</span></header>
<main><p>Search: <code>${esc(query)}</code> · ${orders.length} ${orders.length === 1 ? 'order' : 'orders'}</p>
${body}</main></body></html>`;
}
