import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, LogLevel } from '@slack/bolt';
import { afterEach, expect, it } from 'vitest';
import { startSlackSimulator, type SlackSimulator } from '../../../src/sandbox/slack/web-api-simulator';

// A real Bolt 5 app, not ours: proves Bolt's own signature check, ack, say, respond and
// views.open all accept what the simulator sends and answers.
let sim: SlackSimulator | undefined;
let app: App | undefined;
afterEach(async () => {
  await app?.stop();
  await sim?.close();
});

it('drives a Bolt app through command, button, modal and field errors', async () => {
  sim = await startSlackSimulator({ botToken: 'xoxb-bolt', signingSecret: 'bolt-secret' });
  app = new App({ token: 'xoxb-bolt', signingSecret: 'bolt-secret', clientOptions: { slackApiUrl: `${sim.url}/api/` }, logLevel: LogLevel.ERROR });
  app.command('/dockhand', async ({ ack, say, respond, body }) => {
    await ack();
    await say({ text: 'alert', blocks: [{ type: 'actions', elements: [{ type: 'button', action_id: 'go', text: { type: 'plain_text', text: 'Go' } }] }] });
    await respond({ text: `you said ${body.text}` });
  });
  app.action('go', async ({ ack, body, client, respond }) => {
    await ack();
    await client.views.open({
      trigger_id: (body as { trigger_id: string }).trigger_id,
      view: {
        type: 'modal',
        callback_id: 'm',
        title: { type: 'plain_text', text: 'Title' },
        submit: { type: 'plain_text', text: 'Save' },
        blocks: [{ type: 'input', block_id: 'b', label: { type: 'plain_text', text: 'L' }, element: { type: 'plain_text_input', action_id: 'a' } }],
      },
    });
    await respond({ replace_original: true, text: 'clicked' });
  });
  app.view('m', async ({ ack, view }) => {
    await ack({ response_action: 'errors', errors: { b: `bad ${view.state.values.b?.a?.value}` } });
  });
  const server = (await app.start(0)) as Server;
  sim.setAppRequestUrl(`http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`);

  expect((await sim.sendCommand({ user: 'U0MAYA0001', channel: 'C0OPS00001', text: 'hi' })).status).toBe(200);
  await expect.poll(() => sim!.ephemerals('U0MAYA0001').map((m) => m.text)).toEqual(['you said hi']);
  const alert = sim.messages('C0OPS00001')[0]!;

  expect((await sim.clickButton({ user: 'U0MAYA0001', channel: 'C0OPS00001', ts: alert.ts, actionId: 'go' })).status).toBe(200);
  await expect.poll(() => sim!.messages('C0OPS00001')[0]?.text).toBe('clicked');
  const view = sim.views('U0MAYA0001')[0]!;

  const reply = await sim.submitView({ user: 'U0MAYA0001', viewId: view.id, values: { a: 'x' } });
  expect(reply.body).toEqual({ response_action: 'errors', errors: { b: 'bad x' } });
  expect(sim.views('U0MAYA0001')[0]!.errors).toEqual({ b: 'bad x' });
});
