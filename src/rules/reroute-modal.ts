import type { types } from '@slack/bolt';
import { code, section } from '../domain/block-kit';
import { REROUTE_VIEW } from './escalation-alert';

/** The Re-route modal: ShipStation's warehouses in a select (`reroute_warehouse` / `warehouse`). Pure. */
export function rerouteModal(input: { amazonOrderId: string; current?: string; warehouses: Array<{ id: number; name: string }>; privateMetadata: string }): types.ModalView {
  const options = input.warehouses.slice(0, 100).map((w) => ({ text: { type: 'plain_text' as const, text: w.name.slice(0, 75) }, value: String(w.id) }));
  return {
    type: 'modal',
    callback_id: REROUTE_VIEW.callbackId,
    private_metadata: input.privateMetadata,
    title: { type: 'plain_text', text: 'Re-route order' },
    submit: { type: 'plain_text', text: 'Re-route' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      section(`Order ${code(input.amazonOrderId)} ships from *${input.current ?? 'the account default'}*. Choose the ShipStation warehouse (Ship From) it should ship from instead.`, { blockId: 'reroute:about' }),
      {
        type: 'input',
        block_id: REROUTE_VIEW.blockId,
        label: { type: 'plain_text', text: 'Warehouse' },
        element: { type: 'static_select', action_id: REROUTE_VIEW.actionId, placeholder: { type: 'plain_text', text: 'Choose a warehouse' }, options },
      },
    ],
  };
}

/** What a Re-route press can open for someone who may not re-route. */
export function refusedModal(text: string): types.ModalView {
  return { type: 'modal', title: { type: 'plain_text', text: 'Re-route order' }, close: { type: 'plain_text', text: 'Close' }, blocks: [section(text, { blockId: 'reroute:refused' })] };
}
