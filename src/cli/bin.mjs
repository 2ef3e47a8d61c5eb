#!/usr/bin/env -S node --max-semi-space-size=4 --heap-growing-percent=40
// The `dockhand` command: runs the TypeScript sources through tsx, in this process.
//
// The node flags keep a long-running `dockhand start` small (the ≤ 200 MB goal of the spike and
// writeback benchmarks). Its live heap is about 30 MB, but each page of orders or shipments lives
// across a few awaits, so it is promoted out of the young generation and the old generation grows
// to four times the live size before V8 compacts it: 130 MB of a 250 MB peak. A young generation
// of 3 × 4 MB and a growing factor of 1.4 hold it near 65 MB, for major collections of 30–45 ms
// that run incrementally. No ceiling is set: a heavy report can still use what it needs.
// `npm start`, `npm run dockhand` and the benchmarks run with the same flags (test/cli/node-flags.test.ts).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
await main(process.argv);
