import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DockhandError } from '../domain/errors';

/**
 * Encrypts buyer data at rest with AES-256-GCM. The key comes from DOCKHAND_SECRET_KEY
 * (any string; hashed to 32 bytes) or from a key file generated in the data dir with mode 0600.
 */
export interface Sealer {
  seal(value: unknown): string;
  open<T = unknown>(sealed: string): T;
}

const VERSION = 'v1';

export function createSealer(key: Buffer): Sealer {
  if (key.length !== 32) throw new Error('sealer key must be 32 bytes');
  return {
    seal(value) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, iv.toString('base64'), tag.toString('base64'), body.toString('base64')].join('.');
    },
    open<T>(sealed: string): T {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== VERSION || !iv || !tag || body === undefined) {
        throw new DockhandError('store.corrupt', 'a sealed record has an unknown format', {
          hint: 'The data dir may come from a newer Dockhand version.',
        });
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
        decipher.setAuthTag(Buffer.from(tag, 'base64'));
        const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]);
        return JSON.parse(plain.toString('utf8')) as T;
      } catch (e) {
        throw new DockhandError('store.corrupt', 'buyer data could not be decrypted', {
          cause: e,
          hint: 'DOCKHAND_SECRET_KEY (or data/secret.key) changed since the data was written; restore the old key.',
        });
      }
    },
  };
}

/** Resolves the 32-byte key: from the secret if given, else from (or into) `<dataDir>/secret.key`. */
export function resolveSealerKey(dataDir: string, secret?: string): Buffer {
  if (secret) return createHash('sha256').update(secret, 'utf8').digest();
  const file = path.join(dataDir, 'secret.key');
  if (existsSync(file)) {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) {
      throw new DockhandError('store.corrupt', `${file} does not hold a 32-byte base64 key`, {
        hint: 'Restore the original key file, or set DOCKHAND_SECRET_KEY.',
      });
    }
    return key;
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}
