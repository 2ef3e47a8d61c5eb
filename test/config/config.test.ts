import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, missingForLive } from '../../src/config/config';

function dirWith(yaml?: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'dockhand-config-'));
  if (yaml !== undefined) writeFileSync(path.join(dir, 'dockhand.yml'), yaml);
  return dir;
}

describe('loadConfig', () => {
  it('configures one account from the environment alone', () => {
    const c = loadConfig(
      { AMAZON_REGION: 'eu', AMAZON_MARKETPLACE_IDS: 'A1PA6795UKMFR9, A1F83G8C2ARO7P', AMAZON_REFRESH_TOKEN: 'Atzr|x', SELLING_PARTNER_APP_CLIENT_ID: 'id', SELLING_PARTNER_APP_CLIENT_SECRET: 's' },
      dirWith(),
    );
    expect(c.accounts).toEqual([
      expect.objectContaining({ id: 'default', region: 'eu', marketplaceIds: ['A1PA6795UKMFR9', 'A1F83G8C2ARO7P'], mode: 'import', refreshToken: 'Atzr|x' }),
    ]);
    expect(c.useSandbox).toBe(false);
    expect(c.lookbackDays).toBe(3);
    expect(c.shipstation.baseUrl).toBe('https://ssapi.shipstation.com');
  });

  it('uses the sandbox when no Amazon credentials are set', () => {
    const c = loadConfig({}, dirWith());
    expect(c.useSandbox).toBe(true);
    expect(c.accounts[0]?.marketplaceIds).toEqual(['ATVPDKIKX0DER']);
    expect(missingForLive(c)).toContain('SHIPSTATION_API_KEY');
  });

  it('reads several accounts, each with its own refresh token variable', () => {
    const dir = dirWith(`
accounts:
  - id: us-main
    region: na
    marketplaceIds: [ATVPDKIKX0DER, A2EUQ1WTGCTBG2]
    shipstation: { storeId: 12, warehouseId: 34 }
  - id: eu
    region: eu
    marketplaceIds: [A1PA6795UKMFR9]
    mode: watch
    refreshTokenEnv: AMAZON_REFRESH_TOKEN_EU
sync:
  intervalSeconds: 30
`);
    const c = loadConfig({ AMAZON_REFRESH_TOKEN: 'a', AMAZON_REFRESH_TOKEN_EU: 'b', AMAZON_SYNC_LOOKBACK_DAYS: '7' }, dir);
    expect(c.accounts.map((a) => [a.id, a.mode, a.refreshToken, a.shipstation.storeId])).toEqual([
      ['us-main', 'import', 'a', 12],
      ['eu', 'watch', 'b', undefined],
    ]);
    expect(c.sync.intervalSeconds).toBe(30);
    expect(c.lookbackDays).toBe(7);
  });

  it('accepts a file holding only the slack section', () => {
    const c = loadConfig({ AMAZON_MARKETPLACE_IDS: 'ATVPDKIKX0DER' }, dirWith('slack:\n  channels:\n    alerts: C123\n'));
    expect(c.accounts[0]?.id).toBe('default');
    expect(c.slack).toMatchObject({ channels: { alerts: 'C123' }, managers: [], port: 3000 });
  });

  it.each([
    ['an unknown key', 'acounts: []\n', /dockhand\.yml: \(top level\): .*acounts/i],
    ['a marketplace in the wrong region', 'accounts:\n  - {id: a, region: eu, marketplaceIds: [ATVPDKIKX0DER]}\n', /accounts\[0\]\.marketplaceIds\[0\]: marketplace ATVPDKIKX0DER \(US\) belongs to region na, not eu/],
    ['a made-up marketplace', 'accounts:\n  - {id: a, region: na, marketplaceIds: [NOPE]}\n', /"NOPE" is not an Amazon marketplace ID/],
    ['a bad mode', 'accounts:\n  - {id: a, region: na, marketplaceIds: [ATVPDKIKX0DER], mode: copy}\n', /accounts\.0\.mode/],
    ['a duplicate account id', 'accounts:\n  - {id: a, region: na, marketplaceIds: [ATVPDKIKX0DER]}\n  - {id: a, region: na, marketplaceIds: [ATVPDKIKX0DER]}\n', /accounts\[1\]\.id: "a" is used twice/],
    ['broken YAML', 'accounts: [\n', /not valid YAML/],
  ])('names the file and key for %s', (_n, yaml, message) => {
    expect(() => loadConfig({}, dirWith(yaml))).toThrow(message);
  });

  it.each([
    ['AMAZON_REGION', { AMAZON_REGION: 'us' }, /environment: AMAZON_REGION: one of na, eu, fe, got "us"/],
    ['AMAZON_SYNC_LOOKBACK_DAYS', { AMAZON_SYNC_LOOKBACK_DAYS: 'three' }, /AMAZON_SYNC_LOOKBACK_DAYS: a number of days from 1 to 30, got "three"/],
    ['SHIPSTATION_API_URL', { SHIPSTATION_API_URL: 'ssapi' }, /SHIPSTATION_API_URL: an http\(s\) URL/],
    ['DOCKHAND_CONFIG', { DOCKHAND_CONFIG: 'missing.yml' }, /DOCKHAND_CONFIG points at .*missing\.yml, which does not exist/],
  ])('reports a bad %s', (_n, env, message) => {
    expect(() => loadConfig(env, dirWith())).toThrow(message);
  });

  it('never puts a secret into an error message', () => {
    try {
      loadConfig({ AMAZON_REGION: 'xx', AMAZON_REFRESH_TOKEN: 'Atzr|SECRET', SHIPSTATION_API_SECRET: 'SECRET2' }, dirWith());
    } catch (e) {
      expect(String((e as Error).message)).not.toMatch(/SECRET/);
      return;
    }
    throw new Error('expected an error');
  });
});
