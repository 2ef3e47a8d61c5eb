import type { Store as ShipStationStore, Tag, Warehouse } from '../shipstation/schemas';
import type { ResolvedIds } from './apply';
import type { RuleActions } from './evaluate';

/**
 * ShipStation's tag, warehouse and store names as ids. Read once from GET /accounts/listtags,
 * /warehouses and /stores, and read again when a rule names one that is not found (a seller just
 * created it), at most once per `refreshMs` so a name that stays missing costs no budget. A name
 * that does not exist is never invented (v1 cannot create tags anyway): it is reported instead.
 */

export interface NameSource {
  listTags(): Promise<Tag[]>;
  listWarehouses(): Promise<Warehouse[]>;
  listStores(opts?: { showInactive?: boolean }): Promise<ShipStationStore[]>;
}

export interface MissingName {
  kind: 'tag' | 'warehouse' | 'store';
  name: string;
}

interface Lists {
  tags: Tag[];
  warehouses: Warehouse[];
  stores: ShipStationStore[];
}

const lower = (s: string) => s.trim().toLowerCase();

/** Pure: the ids of what `actions` names in `lists`, and what could not be found. */
export function resolveIn(lists: Lists, actions: RuleActions): { ids: ResolvedIds; missing: MissingName[] } {
  const missing: MissingName[] = [];
  const tagIds: number[] = [];
  for (const name of actions.tags ?? []) {
    const t = lists.tags.find((x) => lower(x.name) === lower(name));
    if (t) tagIds.push(t.tagId);
    else missing.push({ kind: 'tag', name });
  }
  const ids: ResolvedIds = { tagIds };
  if (actions.warehouse !== undefined) {
    const w = findWarehouse(lists.warehouses, actions.warehouse);
    if (w) ids.warehouseId = w.warehouseId;
    else missing.push({ kind: 'warehouse', name: String(actions.warehouse) });
  }
  if (actions.store !== undefined) {
    const want = actions.store;
    const s = lists.stores.find((x) => (typeof want === 'number' ? x.storeId === want : lower(x.storeName) === lower(want)));
    if (s) ids.storeId = s.storeId;
    else missing.push({ kind: 'store', name: String(actions.store) });
  }
  return { ids, missing };
}

export function findWarehouse(warehouses: Warehouse[], nameOrId: string | number): Warehouse | undefined {
  const asId = typeof nameOrId === 'number' ? nameOrId : /^\d+$/.test(nameOrId) ? Number(nameOrId) : undefined;
  return warehouses.find((w) => (asId !== undefined && w.warehouseId === asId) || (typeof nameOrId === 'string' && lower(w.warehouseName) === lower(nameOrId)));
}

export class ShipStationNames {
  private lists: Lists | undefined;
  private loading: Promise<Lists> | undefined;
  private lastLoad = -Infinity;

  constructor(
    private readonly source: NameSource,
    private readonly now: () => number = Date.now,
    private readonly refreshMs = 60_000,
  ) {}

  private load(): Promise<Lists> {
    this.loading ??= (async () => {
      try {
        const [tags, warehouses, stores] = await Promise.all([this.source.listTags(), this.source.listWarehouses(), this.source.listStores({ showInactive: true })]);
        this.lists = { tags, warehouses, stores };
        this.lastLoad = this.now();
        return this.lists;
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }

  /** The current lists (read on first use). */
  async current(): Promise<Lists> {
    return this.lists ?? (await this.load());
  }

  /** The ids of what `actions` names; a missing name triggers one re-read (rate-limited), then is reported. */
  async resolve(actions: RuleActions): Promise<{ ids: ResolvedIds; missing: MissingName[] }> {
    if (actions.tags === undefined && actions.warehouse === undefined && actions.store === undefined) return { ids: { tagIds: [] }, missing: [] };
    const first = resolveIn(await this.current(), actions);
    if (first.missing.length === 0 || this.now() - this.lastLoad < this.refreshMs) return first;
    return resolveIn(await this.load(), actions);
  }

  async warehouses(): Promise<Warehouse[]> {
    return (await this.current()).warehouses;
  }

  /** Forget the lists: the next use reads them again. */
  invalidate(): void {
    this.lists = undefined;
  }
}

/**
 * Pure: every tag, warehouse and store a rule names that ShipStation's lists lack, one issue per
 * rule and name (an error for `rules check`, a warning for `config check`).
 */
export function unknownNames(rules: Array<{ name: string; then: RuleActions }>, lists: Lists): Array<{ rule: string; field: string; expected: string }> {
  const out: Array<{ rule: string; field: string; expected: string }> = [];
  const known = (kind: MissingName['kind']) =>
    kind === 'tag' ? lists.tags.map((t) => t.name) : kind === 'warehouse' ? lists.warehouses.map((w) => `${w.warehouseName} (${w.warehouseId})`) : lists.stores.map((s) => `${s.storeName} (${s.storeId})`);
  for (const r of rules) {
    for (const m of resolveIn(lists, r.then).missing) {
      const field = m.kind === 'tag' ? 'then.tags' : `then.${m.kind}`;
      out.push({ rule: `"${r.name}"`, field, expected: `ShipStation has no ${m.kind} "${m.name}" (it has: ${known(m.kind).join(', ') || 'none'})${m.kind === 'tag' ? '; create it in ShipStation: the API cannot' : ''}` });
    }
  }
  return out;
}
