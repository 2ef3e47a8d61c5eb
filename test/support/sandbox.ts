import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SANDBOX_QUEUE, startSandboxServices, type Sandbox } from '../../src/cli/sandbox';
import { ensureOrderChangeSubscription } from '../../src/events/notifications-client';
import { applySandbox, openRuntime, type Runtime } from '../../src/cli/runtime';
import { loadConfig } from '../../src/config/config';
import type { NoticeEcho } from '../../src/domain/notifier';
import { QUARANTINED_ORDER, type QuarantineNotice } from '../../src/sync/quarantine-alert';
import { UNMAPPED_SKU, type UnmappedSkuNotice } from '../../src/sync/unmapped-sku-alert';
import { DEADLINE, type DeadlineNotice } from '../../src/writeback/deadline-alert';
import { WRITEBACK_PROBLEM, type WritebackNotice } from '../../src/writeback/writeback-alert';
import { silentLogger } from '../../src/log/logger';
import { SANDBOX_CATALOGUE } from '../../src/sandbox/amazon/order-factory';

/** Both simulators plus a Dockhand runtime wired to them, in this process. */
export interface Harness {
  dataDir: string;
  sandbox: Sandbox;
  rt: Runtime;
  notices: { quarantined: QuarantineNotice[]; unmapped: UnmappedSkuNotice[]; writeback: WritebackNotice[]; deadlines: DeadlineNotice[] };
  close(): Promise<void>;
}

export async function startHarness(opts: { rateScale?: number; mapCatalogue?: boolean } = {}): Promise<Harness> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dockhand-test-'));
  const sandbox = await startSandboxServices(dataDir, { rateScale: opts.rateScale ?? 1000 });
  const config = applySandbox(loadConfig({ DOCKHAND_DATA_DIR: dataDir, DOCKHAND_SECRET_KEY: 'test' }, dataDir), sandbox.info);
  const notices: Harness['notices'] = { quarantined: [], unmapped: [], writeback: [], deadlines: [] };
  // Each notice is kept here as well as recorded in the alert outbox.
  const echo: NoticeEcho = (p) => {
    if (QUARANTINED_ORDER.is(p)) notices.quarantined.push(p.notice);
    else if (UNMAPPED_SKU.is(p)) notices.unmapped.push(p.notice);
    else if (WRITEBACK_PROBLEM.is(p)) notices.writeback.push(p.notice);
    else if (DEADLINE.is(p)) notices.deadlines.push(p.notice);
  };
  const rt = await openRuntime(config, silentLogger, echo);
  const queueArn = sandbox.sqs.queueArn(SANDBOX_QUEUE);
  for (const account of rt.config.accounts) {
    await ensureOrderChangeSubscription(rt.notificationsFor(account), { queueArn, marketplaceIds: account.marketplaceIds, name: 'dockhand-test' });
  }
  if (opts.mapCatalogue !== false) {
    for (const p of SANDBOX_CATALOGUE) await rt.store.putSkuMapping({ amazonSku: p.sellerSku, shipstationSku: p.shipstationSku, asin: p.asin });
  }
  return {
    dataDir,
    sandbox,
    rt,
    notices,
    async close() {
      await rt.close();
      await sandbox.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
