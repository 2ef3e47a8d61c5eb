import type { ShipStationClient } from '../shipstation/client';

/**
 * What a person does to a ShipStation order from an alert (ship-by at risk, or a reconciliation
 * finding): tag it as priority for the pick list, or hold it off the list.
 */

/** How long Hold keeps an order off the pick list. */
const HOLD_DAYS = 7;

/** Adds the configured priority tag (`writeback.priorityTag`, matched without case) to the order. */
export async function markPriority(shipstation: Pick<ShipStationClient, 'listTags' | 'addTag'>, priorityTag: string, shipstationOrderId: number): Promise<{ ok: boolean; message: string }> {
  const tag = (await shipstation.listTags()).find((t) => t.name.toLowerCase() === priorityTag.toLowerCase());
  // ShipStation v1 has no call to create a tag: a person creates it once.
  if (!tag) return { ok: false, message: `ShipStation has no tag named "${priorityTag}". Create it in ShipStation (Settings → Tags), or set writeback.priorityTag, then press Mark priority again.` };
  await shipstation.addTag(shipstationOrderId, tag.tagId);
  return { ok: true, message: `Tagged "${tag.name}" in ShipStation.` };
}

/** Puts the order on hold (holduntil) for a week from `now`. */
export async function holdOrder(shipstation: Pick<ShipStationClient, 'holdUntil'>, shipstationOrderId: number, now: Date): Promise<{ ok: boolean; message: string }> {
  const until = new Date(now.getTime() + HOLD_DAYS * 86_400_000).toISOString();
  await shipstation.holdUntil(shipstationOrderId, until);
  return { ok: true, message: `On hold in ShipStation for ${HOLD_DAYS} days.` };
}
