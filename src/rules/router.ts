import type { Order } from '../domain/order';
import type { CreateOrderInput } from '../shipstation/schemas';
import { applyActions, dimensionsOf, factsOf, type Product } from './apply';
import { compileRules, evaluateRules, explainRules, type CompiledRule, type RuleActions, type RuleFacts, type RuleVerdict } from './evaluate';
import type { MissingName, ShipStationNames } from './names';
import type { Rule } from './schema';

/**
 * Runs the rules while an order is mapped: the result travels in the same createorders call
 * (tags, warehouse, store, custom fields, service, weight, hold) and costs no ShipStation call
 * beyond the names, read once.
 */

export interface ProductLookup {
  productsFor(skus: string[]): Promise<Map<string, Product>>;
}

export interface RoutedOrder {
  payload: CreateOrderInput;
  actions: RuleActions;
  matched: string[];
  /** Names the matching rules use that ShipStation does not have (left off the order). */
  missing: MissingName[];
  facts: RuleFacts;
  /** The rule that asked for rate shopping (the last matching one that set rateShop). */
  rateShopRule?: string;
}

export class OrderRouter {
  readonly compiled: CompiledRule[];

  constructor(
    readonly rules: Rule[],
    private readonly names: ShipStationNames,
    private readonly products: ProductLookup,
  ) {
    this.compiled = compileRules(rules);
  }

  get isEmpty(): boolean {
    return this.rules.length === 0;
  }

  /** The facts of an order mapped as `payload`, with its product rows. */
  async factsFor(order: Order, payload: CreateOrderInput): Promise<{ facts: RuleFacts; products: Map<string, Product> }> {
    const products = await this.products.productsFor((payload.items ?? []).map((i) => i.sku ?? ''));
    return { facts: factsOf(order, payload, products), products };
  }

  /**
   * The body with the rules applied. `decidedAt` is when the rules decide for this order (its
   * first sighting), so a time condition (shipByWithinHours) gives the same answer on every pass
   * and an unchanged order is not re-sent just because the clock moved.
   */
  async route(order: Order, payload: CreateOrderInput, decidedAt: number): Promise<RoutedOrder> {
    if (this.isEmpty) return { payload, actions: {}, matched: [], missing: [], facts: factsOf(order, payload, new Map()) };
    const { facts, products } = await this.factsFor(order, payload);
    const { actions, matched } = evaluateRules(this.compiled, facts, decidedAt);
    const { ids, missing } = await this.names.resolve(actions);
    const routed = applyActions(payload, actions, ids, order, facts, dimensionsOf(payload, products));
    const rateShopRule = actions.rateShop ? [...matched].reverse().find((n) => this.rules.find((r) => r.name === n)?.then.rateShop) : undefined;
    return { payload: routed, actions, matched, missing, facts, ...(rateShopRule ? { rateShopRule } : {}) };
  }

  /** Every rule's verdict for `rules test`, and the body that would be sent. */
  async explain(order: Order, payload: CreateOrderInput, now: number): Promise<{ verdicts: RuleVerdict[]; routed: RoutedOrder }> {
    const { facts } = await this.factsFor(order, payload);
    const { verdicts } = explainRules(this.compiled, facts, now);
    const routed = await this.route(order, payload, now);
    return { verdicts, routed };
  }
}
