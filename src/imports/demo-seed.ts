import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Directory } from '../directory/directory.service.ts';
import { importFiness, type ImportReport } from './finess/finess.import.ts';

/** The national FINESS of 2021-01-08 rebuilt in the etalab format (data/finess/PROVENANCE.md). */
export const DEMO_FINESS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data', 'finess', 'finess-etalab-20210108.csv.br');

/** True when the directory holds no Organization and no FINESS import ever ran: a first start. */
export async function isEmptyDirectory(directory: Directory): Promise<boolean> {
  const r = await directory.db.query(
    `SELECT 1 FROM resource WHERE res_type = 'Organization' UNION ALL SELECT 1 FROM import_run WHERE source = 'finess' LIMIT 1`,
  );
  return r.rows.length === 0;
}

/**
 * First-start demo: imports the real national FINESS structures (≈95k EG and their EJ) through the normal
 * importer. Resumable like any import: a server stopped mid-seed resumes it at the next start.
 */
export async function seedDemo(directory: Directory, log: (msg: string) => void, file = DEMO_FINESS): Promise<ImportReport | undefined> {
  if (!existsSync(file)) {
    log(`Données de démonstration absentes (${file}) : rien à charger`);
    return undefined;
  }
  const unfinished = await directory.db.query(`SELECT 1 FROM import_run WHERE source = 'finess' AND status <> 'done' LIMIT 1`);
  if (!(await isEmptyDirectory(directory)) && unfinished.rows.length === 0) return undefined;
  log('Premier démarrage : chargement en arrière-plan des structures FINESS nationales (2021)…');
  const report = await importFiness(directory, file);
  const c = report.counters;
  log(`Démonstration chargée : ${c.created} structures créées (${c.rowsRead} établissements FINESS) en ${(report.durationMs / 1000).toFixed(0)} s`);
  return report;
}
