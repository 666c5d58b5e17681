import { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { VERSION } from '../version.ts';
import { importFileCommand, type ImportCliOptions } from './import.ts';
import { importNosCommand } from './import-nos.ts';
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
  const imports = program.command('import').description('Importe des données de référence (FINESS, RPPS, NOS) ; codes de sortie : docs/imports.md');
  const files = [
    ['finess', 'Importe un fichier FINESS « Extraction du Fichier des établissements » (data.gouv.fr, .csv, .csv.gz ou .csv.br)', 'fichier FINESS', 'structures par transaction (1000)'],
    ['rpps', 'Importe une extraction RPPS « PS_LibreAcces_Personne_activite » (Annuaire Santé, .txt, .gz ou .br)', 'fichier RPPS', "lignes d'activité par transaction (1000)"],
  ] as const;
  for (const [source, description, argument, batch] of files) {
    imports
      .command(source)
      .description(description)
      .argument('<file>', argument)
      .option('--dry-run', 'calcule ce qui changerait sans rien écrire')
      .option('--json', 'rapport complet en JSON sur la sortie standard')
      .option('--batch <n>', batch)
      .option('--encoding <enc>', 'utf-8 ou latin1 (détecté sinon)')
      .option('--allow-mass-closure', 'ferme les absents du fichier même s\'ils dépassent 10 % des structures ouvertes (sinon : fichier partiel, rien n\'est fermé)')
      .option('--direct', 'ouvre la base directement (refusé si un serveur tient la base embarquée)')
      .action(async (file: string, opts: ImportCliOptions) => {
        code = await importFileCommand(loadConfig(), source, file, opts);
      });
  }
  imports
    .command('nos')
    .description('Importe des nomenclatures NOS : un répertoire de ValueSet / CodeSystem FHIR R4 en JSON (JDV_*.json, ValueSet-*.json, CodeSystem-*.json)')
    .argument('<dir>', 'répertoire des fichiers NOS')
    .option('--dry-run', 'vérifie et résume sans rien installer')
    .option('--json', 'rapport complet en JSON sur la sortie standard')
    .option('--package <name>', 'nom du paquet installé (nos-import)')
    .option('--direct', 'ouvre la base directement (refusé si un serveur tient la base embarquée)')
    .action(async (dir: string, opts: { dryRun?: boolean; json?: boolean; package?: string; direct?: boolean }) => {
      code = await importNosCommand(loadConfig(), dir, opts);
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
