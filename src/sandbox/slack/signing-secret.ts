import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the sandbox Slack's signing secret is kept, under `<data dir>/sandbox/`. */
export const SIGNING_SECRET_FILE = 'slack-signing-secret';

/** 32 random bytes as hex, the shape of a real Slack app's signing secret (which is 32 hex digits). */
const SECRET = /^[0-9a-f]{64}$/;

/**
 * The signing secret the sandbox Slack signs with and the app checks: random per data dir,
 * saved 0600 and reused on the next start, so nobody else knows it (a fixed one, published in
 * the source, would let anyone who reaches the port sign requests as the sandbox's manager).
 */
export function loadOrCreateSigningSecret(dir: string): string {
  const file = join(dir, SIGNING_SECRET_FILE);
  const existing = readSecret(file);
  if (existing) {
    chmodSync(file, 0o600);
    return existing;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const fresh = randomBytes(32).toString('hex');
  try {
    // 'wx': two sandboxes starting at once on one data dir agree on the first one written.
    writeFileSync(file, fresh + '\n', { mode: 0o600, flag: 'wx' });
    return fresh;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const other = readSecret(file);
    if (other) return other;
    // An unusable file (empty, edited by hand): replace it.
    writeFileSync(file, fresh + '\n', { mode: 0o600 });
    chmodSync(file, 0o600);
    return fresh;
  }
}

function readSecret(file: string): string | undefined {
  try {
    const s = readFileSync(file, 'utf8').trim();
    return SECRET.test(s) ? s : undefined;
  } catch {
    return undefined;
  }
}
