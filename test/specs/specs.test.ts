import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { driftedFiles, readManifest, sha256, SPECS_DIR, STEERED_FILES, UPSTREAM_FILES } from './sync-specs';

const manifest = readManifest();

describe('vendor specs shipped in test/specs', () => {
  it('holds every file the manifest lists, byte for byte', () => {
    const wrong = manifest.files
      .filter((entry) => !existsSync(path.join(SPECS_DIR, entry.path)) || sha256(path.join(SPECS_DIR, entry.path)) !== entry.sha256)
      .map((entry) => entry.path);
    expect(wrong).toEqual([]);
  });

  it('lists exactly the files sync-specs.ts copies (run npm run specs:sync after changing the list)', () => {
    const listed = manifest.files.map((entry) => `${entry.source}:${entry.path}`).sort();
    const wanted = [...STEERED_FILES.map((rel) => `steering:${rel}`), ...UPSTREAM_FILES.map((rel) => `upstream:${rel}`)].sort();
    expect(listed).toEqual(wanted);
  });

  it('matches the steering copy where one sits beside the repository (npm run specs:sync to take its changes)', () => {
    // Without a steering folder (a user's clone) there is nothing to drift from and the list is empty.
    expect(driftedFiles(manifest)).toEqual([]);
  });

  it('reports a steering file that changed or went missing (the drift check is not vacuous)', () => {
    const steering = mkdtempSync(path.join(tmpdir(), 'dockhand-steering-'));
    try {
      for (const entry of manifest.files.filter((e) => e.source === 'steering')) {
        mkdirSync(path.dirname(path.join(steering, entry.path)), { recursive: true });
        copyFileSync(path.join(SPECS_DIR, entry.path), path.join(steering, entry.path));
      }
      expect(driftedFiles(manifest, steering)).toEqual([]);
      writeFileSync(path.join(steering, 'amazon/ordersV0.json'), '{}\n');
      rmSync(path.join(steering, 'slack/manifest.schema.1.0.0.json'));
      expect(driftedFiles(manifest, steering)).toEqual(['amazon/ordersV0.json', 'slack/manifest.schema.1.0.0.json']);
    } finally {
      rmSync(steering, { recursive: true, force: true });
    }
  });
});
