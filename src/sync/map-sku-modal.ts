import type { types } from '@slack/bolt';
import { code, fitBlock, LIMITS, section } from '../domain/block-kit';

/** callback_id of the Map SKU modal, and the ids of its one input. */
export const MAP_SKU_VIEW = { callbackId: 'map_sku_submit', blockId: 'shipstation_sku', actionId: 'value' } as const;

const SHIPSTATION_SKU_MAX = 100;

/** The reason a ShipStation SKU typed into the modal is not acceptable, or undefined when it is. */
export function validateShipStationSku(s: string): string | undefined {
  if (s.trim() === '') return 'Enter the ShipStation SKU.';
  if (s !== s.trim()) return 'Remove the spaces at the start or end of the SKU.';
  if (s.length > SHIPSTATION_SKU_MAX) return `A SKU has at most ${SHIPSTATION_SKU_MAX} characters; this one has ${s.length}.`;
  if (/\p{Cc}/u.test(s)) return 'The SKU contains a line break or another control character.';
  return undefined;
}

export interface MapSkuModalInput {
  amazonSku: string;
  asin?: string;
  callbackId?: typeof MAP_SKU_VIEW.callbackId;
  /** Round-trips to the view_submission (e.g. the alert key and channel); at most 3,000 characters. */
  privateMetadata: string;
}

/** The Map SKU modal (views.open): one input, `shipstation_sku` / `value`. */
export function mapSkuModal(input: MapSkuModalInput): types.ModalView {
  if (input.privateMetadata.length > LIMITS.privateMetadata) {
    // Cutting it would corrupt what the submission handler reads back: fail loudly instead.
    throw new RangeError(`private_metadata is ${input.privateMetadata.length} characters; Slack allows ${LIMITS.privateMetadata}`);
  }
  return {
    type: 'modal',
    callback_id: input.callbackId ?? MAP_SKU_VIEW.callbackId,
    private_metadata: input.privateMetadata,
    title: { type: 'plain_text', text: 'Map SKU' },
    submit: { type: 'plain_text', text: 'Map' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      fitBlock(
        section(`Amazon SKU ${code(input.amazonSku)}${input.asin ? ` (ASIN ${code(input.asin)})` : ''} will be sent to ShipStation as the SKU you enter. Open orders that went out with Amazon's SKU are updated.`, {
          blockId: 'map_sku:about',
        }),
      ),
      {
        type: 'input',
        block_id: MAP_SKU_VIEW.blockId,
        label: { type: 'plain_text', text: 'ShipStation SKU' },
        hint: { type: 'plain_text', text: "Exactly as in ShipStation's product list." },
        element: {
          type: 'plain_text_input',
          action_id: MAP_SKU_VIEW.actionId,
          max_length: SHIPSTATION_SKU_MAX,
          placeholder: { type: 'plain_text', text: 'e.g. MUG-BLUE-12' },
        },
      },
    ],
  };
}

/** The view_submission answer that shows `message` under the SKU input. */
export function mapSkuModalErrors(message: string): { response_action: 'errors'; errors: Record<string, string> } {
  return { response_action: 'errors', errors: { [MAP_SKU_VIEW.blockId]: message } };
}
