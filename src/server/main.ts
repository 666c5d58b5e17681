import type { Config } from '../config.ts';
import { seedDemo } from '../imports/demo-seed.ts';
import { importRoutes } from '../imports/import.routes.ts';
import { publishServer } from '../imports/server-link.ts';
import { adminRoutes } from './admin.routes.ts';
import { buildApp } from './app.ts';
import { openRuntime } from './runtime.ts';

/** Starts the server: the only place that listens. Resolves once listening; stops on SIGINT/SIGTERM. */
export async function startServer(config: Config): Promise<{ url: string; stop: () => Promise<void> }> {
  // New search definitions: the index is rebuilt before listening (docs/search.md); say so every few seconds.
  let said = 0;
  const runtime = await openRuntime(config, {
    onReindex: (done) => {
      if (Date.now() - said < 5000) return;
      said = Date.now();
      process.stdout.write(`Reconstruction de l'index de recherche (nouvelles définitions) : ${done} ressources…\n`);
    },
  });
  // Imports through the server (PGlite is single-process: `ror import` posts the file here, docs/imports.md).
  let adminToken: string | undefined;
  runtime.appDeps.plugins = [
    ...(runtime.appDeps.plugins ?? []),
    importRoutes(runtime.directory, () => adminToken, runtime.terminology),
    adminRoutes(runtime.db, () => adminToken),
  ];
  const app = await buildApp(runtime.appDeps);
  const address = await app.listen({ port: config.port, host: config.host });
  // Bulk export jobs accepted by any instance, or left by one that died (src/export/export.service.ts).
  runtime.exports.start();
  const link = config.databaseUrl ? undefined : publishServer(config.dataDir, address);
  adminToken = link?.token;
  // First start on an empty database: the FINESS demo loads in the background, the API answers meanwhile.
  const seeding =
    config.seed === 'auto'
      ? seedDemo(runtime.directory, (m) => process.stdout.write(`${m}\n`)).catch((e: unknown) => {
          process.stderr.write(`Chargement de la démonstration interrompu : ${(e as Error).message}\n`);
        })
      : Promise.resolve();
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      link?.unpublish();
      await app.close();
      await Promise.race([seeding, new Promise((r) => setTimeout(r, 2000))]);
      await runtime.close();
    })());
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      void stop().then(() => process.exit(0));
    });
  }
  return { url: address, stop };
}
