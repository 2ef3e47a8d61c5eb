import { readFileSync } from 'node:fs';
import path from 'node:path';

// Kept apart from harness.ts so that a bench's measured child can read the flags without loading
// the simulators.

/** package.json's `start` script, split into words. */
export function npmStartCommand(): string[] {
  const pkg = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '..', 'package.json'), 'utf8')) as { scripts: { start: string } };
  return pkg.scripts.start.split(/\s+/).filter(Boolean);
}

/** The node flags `dockhand` runs with, for a bench's own child that stands for it. */
export function productNodeFlags(): string[] {
  return npmStartCommand().filter((w) => w.startsWith('--'));
}
