#!/usr/bin/env node
// Entry point of the `ror` command: loads the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv);
if (code !== 0 || process.argv[2] !== 'serve') process.exit(code);
