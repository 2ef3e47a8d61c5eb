import { afterEach, describe, expect, it } from 'vitest';
import { renderOrderSearchPage, type OrderPageOrder } from '../../../src/sandbox/shipstation/order-page';
import { startShipStationSimulator, type ShipStationSimulator } from '../../../src/sandbox/shipstation/simulator';

const KEY = 'k';
const SECRET = 's';
const auth = { authorization: `Basic ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')}` };

let sim: ShipStationSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('the simulator holds the tags it is given by name', () => {
  it.each<[string, string[], string[]]>([
    ['none given: its defaults', [], ['Prime', 'Needs Review', 'Gift']],
    ['a new one is added after them', ['Priority'], ['Prime', 'Needs Review', 'Gift', 'Priority']],
    ['a name it holds, in another case, is not added twice', ['gift', 'Rush', 'RUSH'], ['Prime', 'Needs Review', 'Gift', 'Rush']],
  ])('%s', async (_name, tagNames, expected) => {
    sim = await startShipStationSimulator({ apiKey: KEY, apiSecret: SECRET, tagNames });
    const tags = (await (await fetch(`${sim.url}/accounts/listtags`, { headers: auth })).json()) as Array<{ tagId: number; name: string }>;
    expect(tags.map((t) => t.name)).toEqual(expected);
    expect(new Set(tags.map((t) => t.tagId)).size).toBe(tags.length);
  });
});

describe("the simulator's web app page", () => {
  it('needs no API key, costs no API request, and answers only the order search', async () => {
    sim = await startShipStationSimulator({ apiKey: KEY, apiSecret: SECRET });
    expect(sim.appUrl).toBe(`${sim.url}/app`);
    for (let i = 0; i < 45; i++) expect((await fetch(`${sim.appUrl}/orders/all-orders-search-result?quickSearch=x`)).status).toBe(200);
    expect(sim.stats().requests).toEqual({});
    expect((await fetch(`${sim.url}/accounts/listtags`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${sim.appUrl}/settings`)).status).toBe(404);
    // The API itself still wants its key.
    expect((await fetch(`${sim.url}/orders`)).status).toBe(401);
  });

  it('escapes what it shows', () => {
    const order: OrderPageOrder = {
      orderId: 1,
      orderNumber: '<script>1</script>',
      orderKey: 'k"1',
      orderStatus: 'on_hold',
      orderDate: '2026-03-02T10:00:00.0000000',
      shipByDate: null,
      holdUntilDate: '2026-03-09',
      storeName: 'S & S',
      warehouseName: 'W',
      tags: [{ name: '<b>x</b>', color: 'red;background:url(x)' }],
      items: [],
      labels: [],
      fulfillments: [],
    };
    const html = renderOrderSearchPage('<q>', [order]);
    expect(html).not.toContain('<script>1');
    expect(html).toContain('Order #&lt;script&gt;1&lt;/script&gt;');
    expect(html).toContain('S &amp; S');
    expect(html).toContain('On Hold');
    expect(html).toContain('On hold until');
    expect(html).not.toContain('url(x)');
  });
});
