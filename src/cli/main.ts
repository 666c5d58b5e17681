import { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { VERSION } from '../version.ts';
import { migrateCommand } from './migrate.ts';
import { serveCommand } from './serve.ts';

/** The `ror` command. Each subcommand lives in its own file and returns its exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('ror').version(VERSION).description('ROR — Répertoire de l\'Offre et des Ressources en santé').exitOverride();
  let code = 0;
  program
    .command('serve')
    .description('Démarre le serveur FHIR (PORT, HOST, ROR_DATA_DIR, DATABASE_URL)')
    .option('-p, --port <port>', 'port HTTP')
    .option('--host <host>', 'adresse d\'écoute')
    .action(async (opts: { port?: string; host?: string }) => {
      code = await serveCommand(loadConfig(process.env, { ...(opts.port ? { port: Number(opts.port) } : {}), ...(opts.host ? { host: opts.host } : {}) }));
    });
  program
    .command('migrate')
    .description('Applique les migrations de schéma en attente')
    .action(async () => {
      code = await migrateCommand(loadConfig());
    });
  try {
    await program.parseAsync(argv);
  } catch (e) {
    const err = e as { exitCode?: number; code?: string; message?: string };
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
    if (typeof err.exitCode === 'number') return err.exitCode === 0 ? 0 : 2;
    process.stderr.write(`ror: ${err.message ?? String(e)}\n`);
    return 1;
  }
  return code;
}
