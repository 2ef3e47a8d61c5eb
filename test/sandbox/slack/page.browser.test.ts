import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackSimulator, type SlackSimulator } from '../../../src/sandbox/slack/web-api-simulator';
import { callApi, startFakeApp, type FakeApp, type ReceivedRequest } from './fake-app';

const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'xoxb-sandbox-token';
const SECRET = 'sandbox-signing-secret';
const SCREENSHOT = join(tmpdir(), 'dockhand-slack-sandbox.png');
const MODAL_SCREENSHOT = join(tmpdir(), 'dockhand-slack-sandbox-modal.png');

const ALERT_BLOCKS = [
  { type: 'header', text: { type: 'plain_text', text: 'Order needs a SKU mapping' } },
  {
    type: 'section',
    text: { type: 'mrkdwn', text: '*114-3941689-8772232* is _on hold_: ASIN `B0TEST123` has no SKU. See <https://example.com/o/1|the order> — <@U0SAM00002> :warning:' },
    fields: [
      { type: 'mrkdwn', text: '*Ship by*\nToday 17:00' },
      { type: 'mrkdwn', text: '*Prime*\nYes' },
    ],
  },
  {
    type: 'actions',
    block_id: 'alert_actions',
    elements: [
      { type: 'button', action_id: 'map_sku', value: 'B0TEST123', style: 'primary', text: { type: 'plain_text', text: 'Map SKU' } },
      { type: 'button', action_id: 'ignore', value: 'B0TEST123', style: 'danger', text: { type: 'plain_text', text: 'Ignore' } },
    ],
  },
  { type: 'divider' },
  { type: 'context', elements: [{ type: 'mrkdwn', text: 'Dockhand · sync run 42' }] },
];

const MODAL = {
  type: 'modal',
  callback_id: 'map_sku_modal',
  private_metadata: 'B0TEST123',
  title: { type: 'plain_text', text: 'Map SKU' },
  submit: { type: 'plain_text', text: 'Save' },
  close: { type: 'plain_text', text: 'Cancel' },
  blocks: [
    { type: 'section', text: { type: 'mrkdwn', text: 'Map *B0TEST123* to a ShipStation SKU.' } },
    { type: 'input', block_id: 'sku', label: { type: 'plain_text', text: 'SKU' }, element: { type: 'plain_text_input', action_id: 'sku_value' } },
    {
      type: 'input',
      block_id: 'wh',
      label: { type: 'plain_text', text: 'Warehouse' },
      element: {
        type: 'static_select',
        action_id: 'wh_value',
        options: [
          { text: { type: 'plain_text', text: 'Reno' }, value: 'reno' },
          { text: { type: 'plain_text', text: 'Newark' }, value: 'newark' },
        ],
      },
    },
  ],
};

/** PNG width and height from the IHDR chunk (bytes 16–23), to prove the screenshot has a size. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

let browser: Browser;
let page: Page;
let sim: SlackSimulator;
let app: FakeApp;
/** The fake app's own behaviour: opens the modal for "Map SKU", rejects a SKU "BAD" once. */
async function behave(r: ReceivedRequest): Promise<{ status?: number; body?: unknown }> {
  if (r.payload?.type === 'block_actions' && r.payload.actions[0].action_id === 'map_sku') {
    const opened = await callApi(sim.url, 'views.open', { trigger_id: r.payload.trigger_id, view: MODAL }, TOKEN);
    expect(opened.body.ok).toBe(true);
  }
  if (r.payload?.type === 'view_submission') {
    const sku = r.payload.view.state.values.sku.sku_value.value;
    if (sku === 'BAD') return { body: { response_action: 'errors', errors: { sku: 'No such SKU in ShipStation' } } };
  }
  if (r.form.command) return { body: { text: `Got *${r.form.text}*` } };
  return { status: 200 };
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is required for the Slack sandbox page test but ${CHROMIUM} is missing. Install it: apt-get install -y chromium`);
  }
  app = await startFakeApp(SECRET, behave);
  sim = await startSlackSimulator({ botToken: TOKEN, signingSecret: SECRET, appRequestUrl: app.url });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1100, height: 720 } });
  await page.goto(`${sim.pageUrl}?user=U0MAYA0001&channel=C0OPS00001`);
}, 20_000);

afterAll(async () => {
  await browser?.close();
  await sim?.close();
  await app?.close();
});

describe('the sandbox page in Chromium', () => {
  let alertTs = '';

  it('renders a posted Block Kit alert with two visible buttons', async () => {
    const posted = await callApi(sim.url, 'chat.postMessage', { channel: 'C0OPS00001', text: 'Order needs a SKU mapping', blocks: ALERT_BLOCKS }, TOKEN);
    alertTs = posted.body.ts;
    const message = page.locator(`.msg[data-ts="${alertTs}"]`);
    await message.waitFor({ timeout: 5000 });
    await expect.poll(() => message.locator('.block-header').textContent()).toBe('Order needs a SKU mapping');
    expect(await message.locator('b').first().textContent()).toBe('114-3941689-8772232');
    expect(await message.locator('i').first().textContent()).toBe('on hold');
    expect(await message.locator('code').first().textContent()).toBe('B0TEST123');
    expect(await message.locator('a').first().getAttribute('href')).toBe('https://example.com/o/1');
    expect(await message.locator('.mention').first().textContent()).toBe('@sam');
    // Drawn as the emoji, the shortcode kept as its title.
    expect(await message.locator('.emoji').first().textContent()).toBe('\u26a0\ufe0f');
    expect(await message.locator('.emoji').first().getAttribute('title')).toBe(':warning:');

    const viewport = page.viewportSize()!;
    for (const [actionId, cls] of [['map_sku', 'btn-primary'], ['ignore', 'btn-danger']] as const) {
      const button = message.locator(`button[data-action-id="${actionId}"]`);
      expect(await button.getAttribute('class')).toContain(cls);
      const box = (await button.boundingBox())!;
      expect(box.width).toBeGreaterThan(20);
      expect(box.height).toBeGreaterThan(10);
      expect(box.x + box.width).toBeLessThanOrEqual(viewport.width);
      expect(box.y + box.height).toBeLessThanOrEqual(viewport.height);
    }

    await page.screenshot({ path: SCREENSHOT });
    const png = readFileSync(SCREENSHOT);
    expect(pngSize(png)).toEqual({ width: 1100, height: 720 });
    // A blank page compresses to a few KB; text, buttons and the sidebar do not.
    expect(png.length).toBeGreaterThan(15_000);
  });

  it('sends a signed block_actions when a button is clicked, and the app opens a modal', async () => {
    const before = app.received.length;
    await page.locator(`.msg[data-ts="${alertTs}"] button[data-action-id="map_sku"]`).click();
    await expect.poll(() => app.received.length).toBeGreaterThan(before);
    expect(app.rejected).toBe(0);
    expect(app.received.at(-1)!.payload).toMatchObject({
      type: 'block_actions',
      user: { id: 'U0MAYA0001' },
      actions: [{ action_id: 'map_sku', block_id: 'alert_actions', value: 'B0TEST123' }],
    });
    await page.locator('#modal-backdrop:not([hidden])').waitFor({ timeout: 5000 });
    expect(await page.locator('#modal-title').textContent()).toBe('Map SKU');
  });

  it('submits the modal, shows the field error the app returns, then closes on success', async () => {
    await page.locator('#in-sku').fill('BAD');
    await page.locator('#in-wh').selectOption('newark');
    await page.locator('#modal-submit').click();
    await expect.poll(() => page.locator('.input-block[data-block-id="sku"] .field-error').textContent()).toBe('No such SKU in ShipStation');
    const submitted = app.received.filter((r) => r.payload?.type === 'view_submission');
    expect(submitted[0]!.payload!.view.state.values.wh.wh_value.selected_option.value).toBe('newark');
    expect(await page.locator('#in-wh').inputValue()).toBe('newark');
    await page.screenshot({ path: MODAL_SCREENSHOT });

    await page.locator('#in-sku').fill('SKU-RENO-1');
    await page.locator('#modal-submit').click();
    await page.locator('#modal-backdrop').waitFor({ state: 'hidden', timeout: 5000 });
    expect(sim.views()).toEqual([]);
  });

  it('sends a typed slash command to the app and shows its reply only to that user', async () => {
    await page.locator('#composer').fill('/dockhand status B0TEST123');
    await page.locator('#composer').press('Enter');
    await expect.poll(() => app.received.some((r) => r.form.command === '/dockhand' && r.form.text === 'status B0TEST123')).toBe(true);
    const reply = page.locator('.msg.ephemeral', { hasText: 'Got' });
    await reply.waitFor({ timeout: 5000 });
    expect(await reply.locator('.only-you').textContent()).toBe('Only visible to you');
    expect(await reply.locator('b').textContent()).toBe('status B0TEST123');

    await page.locator('#user-switcher').selectOption('U0SAM00002');
    await expect.poll(() => page.locator('.msg.ephemeral').count()).toBe(0);
    expect(await page.locator('#user-switcher option:checked').textContent()).toBe('Sam (warehouse)');
  });
});
