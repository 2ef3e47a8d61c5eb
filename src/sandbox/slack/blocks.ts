/**
 * Pure Block Kit helpers the simulator needs: Slack fills in missing `block_id`s, finds the
 * element a user clicked, and turns what a user typed into a modal's `view.state.values`
 * (https://api.slack.com/reference/interaction-payloads/views#view_submission).
 */

export type Json = Record<string, unknown>;

export const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What a user typed or picked for one input element: text, an option value, or several. */
export type InputValue = string | string[] | null;

/**
 * Copies blocks and gives each block without a `block_id` a generated one, as Slack does
 * (the docs: "If not specified, a block_id will be generated"). `newId` makes it deterministic.
 */
export function withBlockIds(blocks: unknown[], newId: () => string): Json[] {
  return blocks.map((b) => {
    const block = structuredClone(b) as Json;
    if (typeof block.block_id !== 'string' || block.block_id === '') block.block_id = newId();
    return block;
  });
}

/** The interactive elements of a block: an `actions` block's elements, else a section's accessory. */
export function elementsOf(block: Json): Json[] {
  if (block.type === 'actions' && Array.isArray(block.elements)) return block.elements.filter(isObj);
  if (isObj(block.accessory)) return [block.accessory];
  return [];
}

export interface FoundElement {
  blockId: string;
  element: Json;
}

/** Finds the element with `actionId` (and `blockId`, when given) in `blocks`. */
export function findElement(blocks: unknown, actionId: string, blockId?: string): FoundElement | undefined {
  if (!Array.isArray(blocks)) return undefined;
  for (const b of blocks.filter(isObj)) {
    if (blockId !== undefined && b.block_id !== blockId) continue;
    const element = elementsOf(b).find((e) => e.action_id === actionId);
    if (element) return { blockId: String(b.block_id ?? ''), element };
  }
  return undefined;
}

function optionsOf(element: Json): Json[] {
  const direct = Array.isArray(element.options) ? element.options.filter(isObj) : [];
  const grouped = Array.isArray(element.option_groups)
    ? element.option_groups.filter(isObj).flatMap((g) => (Array.isArray(g.options) ? g.options.filter(isObj) : []))
    : [];
  return [...direct, ...grouped];
}

function pickOption(element: Json, value: string): Json {
  const option = optionsOf(element).find((o) => o.value === value);
  if (!option) throw new Error(`option "${value}" is not offered by ${String(element.action_id)}`);
  return option;
}

/** One element's entry in `state.values`, shaped per element type like Slack's payloads. */
export function stateValue(element: Json, value: InputValue): Json {
  const type = String(element.type);
  switch (type) {
    case 'static_select':
    case 'radio_buttons':
      return { type, selected_option: value === null ? null : pickOption(element, String(value)) };
    case 'multi_static_select':
    case 'checkboxes': {
      const values = value === null ? [] : Array.isArray(value) ? value : [value];
      return { type, selected_options: values.map((v) => pickOption(element, v)) };
    }
    case 'users_select':
      return { type, selected_user: value };
    case 'conversations_select':
      return { type, selected_conversation: value };
    case 'channels_select':
      return { type, selected_channel: value };
    case 'datepicker':
      return { type, selected_date: value };
    default:
      // plain_text_input, number_input, email_text_input, url_text_input all carry `value`.
      return { type, value: value === null || value === '' ? null : String(value) };
  }
}

/**
 * Builds `view.state.values` (`{block_id: {action_id: {type, ...}}}`) for every input block of
 * a view. `values` is keyed by action_id, or by block_id mapping to `{action_id: value}`;
 * inputs the user left alone come out empty, as Slack sends them. Unknown keys throw, so a
 * test that names a field wrongly fails loudly.
 */
export function buildStateValues(blocks: unknown, values: Record<string, InputValue | Record<string, InputValue>>): Record<string, Record<string, Json>> {
  const out: Record<string, Record<string, Json>> = {};
  const used = new Set<string>();
  for (const block of Array.isArray(blocks) ? blocks.filter(isObj) : []) {
    if (block.type !== 'input' || !isObj(block.element)) continue;
    const blockId = String(block.block_id);
    const element = block.element;
    const actionId = String(element.action_id);
    const byBlock = values[blockId];
    let value: InputValue = null;
    if (isObj(byBlock) && actionId in byBlock) {
      value = (byBlock as Record<string, InputValue>)[actionId] ?? null;
      used.add(blockId);
    } else if (actionId in values && !isObj(values[actionId])) {
      value = (values[actionId] as InputValue) ?? null;
      used.add(actionId);
    }
    out[blockId] = { [actionId]: stateValue(element, value) };
  }
  const unknown = Object.keys(values).filter((k) => !used.has(k));
  if (unknown.length > 0) throw new Error(`the view has no input named ${unknown.join(', ')}`);
  return out;
}

/** Input blocks that are not optional but got no value: Slack's client refuses to submit those. */
export function missingRequiredInputs(blocks: unknown, state: Record<string, Record<string, Json>>): string[] {
  const missing: string[] = [];
  for (const block of Array.isArray(blocks) ? blocks.filter(isObj) : []) {
    if (block.type !== 'input' || block.optional === true || !isObj(block.element)) continue;
    const entry = state[String(block.block_id)]?.[String(block.element.action_id)];
    const empty =
      !entry ||
      (('value' in entry && (entry.value === null || entry.value === '')) ||
        ('selected_option' in entry && entry.selected_option === null) ||
        ('selected_options' in entry && Array.isArray(entry.selected_options) && entry.selected_options.length === 0) ||
        ('selected_user' in entry && entry.selected_user === null));
    if (empty) missing.push(String(block.block_id));
  }
  return missing;
}

/** The visible text of a button, for the `actions[].text` field of block_actions. */
export function buttonText(element: Json): Json {
  return isObj(element.text) ? element.text : { type: 'plain_text', text: String(element.action_id ?? '') };
}
