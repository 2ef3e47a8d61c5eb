import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The vendor specs tests read ship in test/specs (README.md there names each file's source and
 * licence), so a fresh clone tests against the same files as CI.
 */
const SPECS_DIR = path.resolve(import.meta.dirname, '..', 'specs');

let listed: Set<string> | undefined;

/**
 * Absolute path of a vendor spec by its path under test/specs (`amazon/orders_2026-01-01.json`).
 * Only files test/specs/manifest.json lists are handed out, so a spec copied in by hand (and
 * never checked against the steering copy) fails here instead of drifting quietly.
 */
export function specPath(rel: string): string {
  listed ??= new Set(
    (JSON.parse(readFileSync(path.join(SPECS_DIR, 'manifest.json'), 'utf8')) as { files: { path: string }[] }).files.map((f) => f.path),
  );
  if (!listed.has(rel)) throw new Error(`test/specs/manifest.json does not list ${rel}: add it to test/specs/sync-specs.ts and run npm run specs:sync`);
  return path.join(SPECS_DIR, rel);
}

/** A vendor spec's text, by its path under test/specs. */
export const readSpec = (rel: string): string => readFileSync(specPath(rel), 'utf8');
