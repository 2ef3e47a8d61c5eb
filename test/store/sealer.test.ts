import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSealer, resolveSealerKey } from '../../src/store/sealer';

describe('sealer', () => {
  it('encrypts buyer data so the plain text is not in the stored value', () => {
    const sealer = createSealer(resolveSealerKey('/nonexistent', 'test-secret'));
    const sealed = sealer.seal({ name: 'Zoë Brontë', phone: '+1 206-555-0134' });
    // Checked against the plain text and its base64 form, with strings too long to occur by chance.
    for (const plain of ['Zoë Brontë', '+1 206-555-0134']) {
      expect(sealed).not.toContain(plain);
      expect(sealed).not.toContain(Buffer.from(plain).toString('base64').slice(0, 12));
    }
    expect(sealer.open(sealed)).toEqual({ name: 'Zoë Brontë', phone: '+1 206-555-0134' });
  });

  it('refuses to open data sealed with another key', () => {
    const a = createSealer(resolveSealerKey('/x', 'key-a'));
    const b = createSealer(resolveSealerKey('/x', 'key-b'));
    expect(() => b.open(a.seal({ x: 1 }))).toThrow(/could not be decrypted/);
  });

  it('generates a key file readable only by its owner and reuses it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dockhand-key-'));
    const k1 = resolveSealerKey(dir);
    expect(statSync(path.join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(resolveSealerKey(dir).equals(k1)).toBe(true);
  });
});
