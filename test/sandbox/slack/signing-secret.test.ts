import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrCreateSigningSecret, SIGNING_SECRET_FILE } from '../../../src/sandbox/slack/signing-secret';

const fresh = () => path.join(mkdtempSync(path.join(tmpdir(), 'dockhand-secret-')), 'sandbox');

describe('the sandbox Slack signing secret', () => {
  it('is random per data dir: two fresh ones differ, and neither is the old published constant', () => {
    const a = loadOrCreateSigningSecret(fresh());
    const b = loadOrCreateSigningSecret(fresh());
    expect(a).not.toBe(b);
    for (const s of [a, b]) {
      expect(s).toMatch(/^[0-9a-f]{64}$/);
      expect(s).not.toBe('dockhand-sandbox-signing-secret');
    }
  });

  it('is saved readable by the owner only and is the same on the next start', () => {
    const dir = fresh();
    const first = loadOrCreateSigningSecret(dir);
    const file = path.join(dir, SIGNING_SECRET_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
    expect(loadOrCreateSigningSecret(dir)).toBe(first);
  });

  it('replaces a file that holds no usable secret (empty, or edited by hand)', () => {
    const dir = fresh();
    loadOrCreateSigningSecret(dir);
    const file = path.join(dir, SIGNING_SECRET_FILE);
    writeFileSync(file, 'secret\n', { mode: 0o644 });
    const replaced = loadOrCreateSigningSecret(dir);
    expect(replaced).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(file, 'utf8').trim()).toBe(replaced);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
