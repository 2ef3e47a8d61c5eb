import { describe, expect, it } from 'vitest';
import { nativeAmazonWarnings } from '../../src/cli/config-check';
import { loadConfig } from '../../src/config/config';

describe('nativeAmazonWarnings', () => {
  const importing = loadConfig({ AMAZON_MARKETPLACE_IDS: 'ATVPDKIKX0DER' }, '/nonexistent');
  const watching = { ...importing, accounts: importing.accounts.map((a) => ({ ...a, mode: 'watch' as const })) };
  const amazonStore = { storeId: 7, storeName: 'Amazon US', marketplaceName: 'Amazon', active: true };

  it.each([
    ["ShipStation's own Amazon store next to an importing account", importing, [amazonStore], 1],
    ['the same store but deactivated', importing, [{ ...amazonStore, active: false }], 0],
    ['an Amazon store while the account only watches', watching, [amazonStore], 0],
    ['only a manual store', importing, [{ storeId: 1, storeName: 'Manual', marketplaceName: 'ShipStation', active: true }], 0],
  ])('%s', (_n, cfg, stores, count) => {
    const warnings = nativeAmazonWarnings(cfg, stores);
    expect(warnings).toHaveLength(count);
    if (count) expect(warnings[0]).toMatch(/imported twice and tracking posted twice.*mode: watch/);
  });
});
