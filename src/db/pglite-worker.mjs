// Entry of the embedded database's worker thread: a worker does not inherit the TypeScript loader the main
// thread registered (bin/ror.js, vitest), so it registers its own before loading the worker module.
import { register } from 'tsx/esm/api';

register();
await import('./pglite-worker.ts');
