import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { npmStartCommand } from '../../bench/node-flags';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'src/cli/bin.mjs');

/** The `--flags` between `node` and the script in a command line. */
function nodeFlags(words: string[]): string[] {
  const node = words.findIndex((w) => w === 'node' || w.endsWith('/node'));
  return words.slice(node + 1).filter((w) => w.startsWith('--'));
}

describe('node flags of a long-running dockhand', () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const shebang = readFileSync(BIN, 'utf8').split('\n')[0]!;

  it('are the same for npm start, npm run dockhand, the dockhand bin and the benchmarks', () => {
    const start = nodeFlags(pkg.scripts.start!.split(/\s+/));
    expect(start).toContain('--max-semi-space-size=4');
    expect(nodeFlags(pkg.scripts.dockhand!.split(/\s+/))).toEqual(start);
    expect(nodeFlags(shebang.replace(/^#!/, '').split(/\s+/))).toEqual(start);
    expect(nodeFlags(npmStartCommand())).toEqual(start);
    expect(pkg.scripts.start).toMatch(/src\/cli\/bin\.mjs start$/);
  });

  it('reach node when the bin runs as an executable (env -S in its first line)', () => {
    const r = spawnSync(BIN, ['--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: dockhand/);
  }, 60_000);
});
