// A worker thread runs plain JavaScript: this registers tsx, then loads the TypeScript claimant.
import { register } from 'tsx/esm/api';

register();
await import('./race-claimant.ts');
