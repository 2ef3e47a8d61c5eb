/**
 * A Dockhand process that records two problems in the alert outbox and is then stuck before
 * Slack answers, so a test can kill -9 it between recording and posting.
 * Usage: node --import tsx test/support/record-then-hang.ts <dataDir>
 */
import { silentLogger } from '../../src/log/logger';
import { createAlertRecorder, startAlertDrain } from '../../src/slack/alerts';
import { Store } from '../../src/store/store';
import { quarantinedOrderProblem } from '../../src/sync/quarantine-alert';
import { unmappedSkuProblem } from '../../src/sync/unmapped-sku-alert';

const store = await Store.open({ dataDir: process.argv[2]! });
const recorder = createAlertRecorder({ store, now: () => new Date(), logger: silentLogger });
// Slack never answers: the posts hang until the process is killed.
startAlertDrain({ store, recorder, post: () => new Promise(() => undefined), update: () => new Promise(() => undefined), channels: { alerts: 'C0OPS00001' }, now: () => new Date(), logger: silentLogger });
await recorder.raise(quarantinedOrderProblem({ accountId: 'default', amazonOrderId: '111-0000000-0000001', code: 'order.malformed', reason: 'no shipping address', hint: 'Amazon must correct it' }));
await recorder.raise(unmappedSkuProblem({ accountId: 'default', amazonSku: 'KILLED-SKU', amazonOrderId: '111-0000000-0000002' }));
process.stdout.write('recorded\n');
setInterval(() => undefined, 60_000);
