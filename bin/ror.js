#!/usr/bin/env -S node --max-old-space-size=384
// Entry point of the `ror` command: loads the TypeScript sources through tsx. The heap is capped (the shebang,
// and the npm scripts, pass the same flag): V8 otherwise lets an import's garbage grow the process past
// 500 MB on a large machine; capped, a national import stays near 330 MB at the same speed (docs/imports.md).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv);
if (code !== 0 || process.argv[2] !== 'serve') {
  // Writes to a pipe are asynchronous: exiting at once would cut a large `--json` report at the pipe's buffer
  // (64 KiB). Wait until what was written is flushed, then exit (handles a command left open must not keep it).
  process.exitCode = code;
  const flushed = (stream) =>
    new Promise((resolve) => {
      stream.on('error', resolve); // a reader gone (EPIPE): nothing more to wait for
      stream.write('', resolve);
    });
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}
