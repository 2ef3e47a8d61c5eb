/**
 * Copies the vendor files the tests and simulators read from the steering folder (`specs/` in
 * the `shared` folder next to the repository) into test/specs, and writes test/specs/manifest.json
 * with each file's sha256. Run it with `npm run specs:sync` after the steering copy changes or
 * after listing a new file here; test/specs/specs.test.ts fails until the two copies agree.
 *
 * A fresh clone has no steering folder, which is why the files ship in the repository at all.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { METHODS } from '../../src/sandbox/slack/method-table';

/** test/specs: the in-repo copy. */
export const SPECS_DIR = import.meta.dirname;
export const MANIFEST_PATH = path.join(SPECS_DIR, 'manifest.json');
/** The steering copy beside the repository root; absent in a user's clone. */
export const STEERING_DIR = path.resolve(SPECS_DIR, '..', '..', path.join('..', 'shared', 'specs'));

/**
 * One reference doc per Slack method the simulator serves: its test compares METHODS' required
 * args and tiers with them, and test/slack/manifest.test.ts reads the scopes of a subset.
 */
const slackMethodDocs = [...new Set([...Object.keys(METHODS), 'files.getUploadURLExternal', 'files.completeUploadExternal'])]
  .sort()
  .map((method) => `slack/slack-api-ref-docs.slack.dev-methods/${method}.json`);

/** Files copied from the steering folder, by path relative to it (and to test/specs). */
export const STEERED_FILES: readonly string[] = [
  'amazon/README.md',
  'amazon/OrderChangeNotification.json',
  'amazon/notifications.json',
  'amazon/orders_2026-01-01.json',
  'amazon/ordersV0.json',
  'amazon/reports_2021-06-30.json',
  'amazon/feeds_2021-06-30.json',
  'amazon/feeds-xml.md',
  'amazon/listingsItems_2021-08-01.json',
  'amazon/listings-feed-schema-v2.json',
  'amazon/listings-feed-message-schema-v2.json',
  'amazon/listings-feed-processing-report-schema-v2.json',
  'amazon/financesV0.json',
  'shipstation/README.md',
  'shipstation/shipstation-v1-openapi.ballerina.yaml',
  'shipstation/shipstation-v2-openapi.yaml',
  'slack/README.md',
  'slack/LICENSE.manifest-schema',
  'slack/LICENSE.slack-api-ref.md',
  'slack/LICENSE.slack-api-specs',
  'slack/manifest.schema.1.0.0.json',
  'slack/slack_web_openapi_v2.json',
  ...slackMethodDocs,
];

/**
 * Licence texts the steering folder lacks (both sources are Apache-2.0, which asks for the licence
 * to travel with the files), taken from the source repositories at the commits the vendor READMEs
 * pin. They are not synced, only hashed; test/specs/README.md says where each came from.
 */
export const UPSTREAM_FILES: readonly string[] = ['amazon/LICENSE', 'amazon/NOTICE', 'shipstation/LICENSE'];

export interface ManifestEntry {
  path: string;
  sha256: string;
  /** `steering`: copied by this script and compared with the steering copy; `upstream`: kept by hand. */
  source: 'steering' | 'upstream';
}

export interface Manifest {
  files: ManifestEntry[];
}

export const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

export const readManifest = (): Manifest => JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as Manifest;

/**
 * The steered files whose steering copy differs from the in-repo one (or is gone). Empty when
 * there is no steering folder, as in a user's clone: then the manifest hashes are the only check.
 */
export function driftedFiles(manifest: Manifest, steeringDir = STEERING_DIR): string[] {
  if (!existsSync(steeringDir)) return [];
  return manifest.files
    .filter((entry) => entry.source === 'steering')
    .filter((entry) => {
      const steered = path.join(steeringDir, entry.path);
      const local = path.join(SPECS_DIR, entry.path);
      return !existsSync(steered) || !existsSync(local) || !readFileSync(steered).equals(readFileSync(local));
    })
    .map((entry) => entry.path);
}

/** Copies the steered files in, drops the ones no longer listed, and rewrites the manifest. */
export function syncSpecs(steeringDir = STEERING_DIR): Manifest {
  if (!existsSync(steeringDir)) throw new Error(`no steering copy at ${steeringDir}: nothing to sync from`);
  const listed = new Set([...STEERED_FILES, ...UPSTREAM_FILES]);
  if (existsSync(MANIFEST_PATH)) {
    for (const old of readManifest().files) {
      if (old.source === 'steering' && !listed.has(old.path)) rmSync(path.join(SPECS_DIR, old.path), { force: true });
    }
  }
  for (const rel of STEERED_FILES) {
    const target = path.join(SPECS_DIR, rel);
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(path.join(steeringDir, rel), target);
  }
  const entries: ManifestEntry[] = [
    ...STEERED_FILES.map((rel) => ({ path: rel, source: 'steering' as const })),
    ...UPSTREAM_FILES.map((rel) => ({ path: rel, source: 'upstream' as const })),
  ]
    .map(({ path: rel, source }) => ({ path: rel, sha256: sha256(path.join(SPECS_DIR, rel)), source }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const manifest: Manifest = { files: entries };
  writeFileSync(MANIFEST_PATH, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { files } = syncSpecs();
  console.log(`synced ${files.filter((f) => f.source === 'steering').length} files into ${path.relative(process.cwd(), SPECS_DIR) || '.'}; manifest lists ${files.length}`);
}
