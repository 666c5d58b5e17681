import type { Config } from '../config.ts';
import { buildApp } from './app.ts';
import { openRuntime } from './runtime.ts';

/** Starts the server: the only place that listens. Resolves once listening; stops on SIGINT/SIGTERM. */
export async function startServer(config: Config): Promise<{ url: string; stop: () => Promise<void> }> {
  const runtime = await openRuntime(config);
  const app = await buildApp(runtime.appDeps);
  const address = await app.listen({ port: config.port, host: config.host });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await app.close();
      await runtime.close();
    })());
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      void stop().then(() => process.exit(0));
    });
  }
  return { url: address, stop };
}
