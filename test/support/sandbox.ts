import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SANDBOX_QUEUE, startSandboxServices, type Sandbox } from '../../src/cli/sandbox';
import { ensureOrderChangeSubscription } from '../../src/events/notifications-client';
import { applySandbox, openRuntime, type Runtime } from '../../src/cli/runtime';
import { loadConfig } from '../../src/config/config';
import type { DeadlineNotice, NoticeEcho, QuarantineNotice, UnmappedSkuNotice, WritebackNotice } from '../../src/domain/notifier';
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
  const echo: NoticeEcho = {
    orderQuarantined: (n) => void notices.quarantined.push(n),
    unmappedSku: (n) => void notices.unmapped.push(n),
    writebackProblem: (n) => void notices.writeback.push(n),
    deadlineEscalation: (n) => void notices.deadlines.push(n),
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
