import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import type { Directory } from '../directory/directory.service.ts';
import { importFiness } from './finess/finess.import.ts';
import { ImportAbort } from './finess/finess.parse.ts';
import { importNos } from './nos/nos.import.ts';
import { importRpps } from './rpps/rpps.import.ts';
import { sameToken } from './server-link.ts';

/**
 * Admin routes `POST /admin/import/finess?dryRun=1&name=FILE` and `POST /admin/import/rpps?…`: the body is the file (application/octet-stream,
 * gzip allowed with name *.gz), spooled to a temporary file (streamed, never held in memory), imported by
 * the same importer as the CLI; the answer is NDJSON streamed as it goes: `{"progress":…}` lines, then one
 * `{"report":…}` or `{"error":…,"code":…}` line. Bearer token: the server's admin token (server-link.ts).
 */
export function importRoutes(directory: Directory, adminToken: () => string | undefined, terminology?: { refresh(): Promise<boolean> }) {
  return (app: FastifyInstance) => {
    app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));
    // `ror import nos DIR` through the server: the JSON files of the directory, installed then seen by validation at once.
    app.post('/admin/import/nos', { bodyLimit: 256 * 1024 * 1024 }, async (req, reply) => {
      const token = adminToken();
      const auth = req.headers.authorization?.replace(/^Bearer\s+/i, '');
      if (!token || !sameToken(auth, token)) {
        return reply.code(401).type('application/json').send({ error: 'Jeton d\'administration absent ou invalide', code: 'unauthorized' });
      }
      const q = req.query as { dryRun?: string; package?: string };
      const body = req.body as { dir?: string; files?: { name?: unknown; content?: unknown }[] } | undefined;
      const files = Array.isArray(body?.files) ? body.files : [];
      const dir = mkdtempSync(join(tmpdir(), 'ror-nos-'));
      try {
        files.forEach((f, i) => {
          if (typeof f.content !== 'string') return;
          const name = typeof f.name === 'string' ? f.name.replace(/[^\w.-]/g, '_') : `f${i}.json`;
          writeFileSync(join(dir, `${String(i).padStart(5, '0')}-${name}`), f.content);
        });
        const report = await importNos(directory.db, dir, { dryRun: q.dryRun === '1', ...(q.package ? { packageName: q.package } : {}) });
        if (!report.dryRun) await terminology?.refresh();
        return reply.type('application/json').send({ report: { ...report, dir: body?.dir ?? report.dir } });
      } catch (e) {
        const code = e instanceof ImportAbort ? e.code : 'database';
        return reply.code(code === 'database' ? 500 : 422).type('application/json').send({ error: (e as Error).message, code });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
    app.post<{ Params: { source: string } }>('/admin/import/:source', async (req, reply) => {
      const source = req.params.source;
      if (source !== 'finess' && source !== 'rpps') {
        return reply.code(404).type('application/json').send({ error: `Source d'import inconnue « ${source} » (finess ou rpps)`, code: 'unknown-source' });
      }
      const token = adminToken();
      const auth = req.headers.authorization?.replace(/^Bearer\s+/i, '');
      if (!token || !sameToken(auth, token)) {
        return reply.code(401).type('application/json').send({ error: 'Jeton d\'administration absent ou invalide', code: 'unauthorized' });
      }
      const q = req.query as { dryRun?: string; allowMassClosure?: string; name?: string; batch?: string; encoding?: string };
      const name = (q.name ?? `${source}.txt`).replace(/[^\w.-]/g, '_');
      const dir = mkdtempSync(join(tmpdir(), 'ror-import-'));
      const path = join(dir, name);
      reply.hijack();
      const out = reply.raw;
      out.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8' });
      const send = (o: unknown) => out.write(`${JSON.stringify(o)}\n`);
      try {
        await pipeline(req.body as NodeJS.ReadableStream, createWriteStream(path));
        let last = 0;
        const run = source === 'finess' ? importFiness : importRpps;
        const report = await run(directory, path, {
          dryRun: q.dryRun === '1' || q.dryRun === 'true',
          allowMassClosure: q.allowMassClosure === '1' || q.allowMassClosure === 'true',
          fileName: q.name ?? name,
          ...(q.batch ? { batchSize: Number(q.batch) } : {}),
          ...(q.encoding === 'utf-8' || q.encoding === 'windows-1252' ? { encoding: q.encoding } : {}),
          onProgress: (p) => {
            const now = Date.now();
            if (now - last >= 200) {
              last = now;
              send({ progress: p });
            }
          },
        });
        send({ report });
      } catch (e) {
        const err = e as Error;
        send({ error: err.message, code: e instanceof ImportAbort ? e.code : 'database' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
        out.end();
      }
    });
  };
}
