export {};
/**
 * `npm run bench -- <name> [options]`: runs bench/<name>.ts. Benchmarks print their figures;
 * none of them asserts a time.
 */
const BENCHES: Record<string, () => Promise<{ main(argv: string[]): Promise<void> }>> = {
  spike: () => import('./spike'),
  slack: () => import('./slack'),
  writeback: () => import('./writeback'),
  store: () => import('./store'),
  replicas: () => import('./replicas'),
  returns: () => import('./returns'),
  rules: () => import('./rules'),
  report: () => import('./report'),
  inventory: () => import('./inventory'),
};

const [name, ...rest] = process.argv.slice(2);
const load = name ? BENCHES[name] : undefined;
if (!load) {
  process.stderr.write(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [options]\n`);
  process.exit(1);
}
// Stopped by a signal, a bench takes the `dockhand start` it spawned with it.
const { killDockhands } = await import('./harness');
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killDockhands();
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
  });
}
await (await load()).main(rest);
