import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import type { Directory } from '../directory/directory.service.ts';
import { importFiness } from './finess/finess.import.ts';
import { ImportAbort } from './finess/finess.parse.ts';
import { sameToken } from './server-link.ts';

/**
 * Admin route `POST /admin/import/finess?dryRun=1&name=FILE`: the body is the file (application/octet-stream,
 * gzip allowed with name *.gz), spooled to a temporary file (streamed, never held in memory), imported by
 * the same importer as the CLI; the answer is NDJSON streamed as it goes: `{"progress":…}` lines, then one
 * `{"report":…}` or `{"error":…,"code":…}` line. Bearer token: the server's admin token (server-link.ts).
 */
export function importRoutes(directory: Directory, adminToken: () => string | undefined) {
  return (app: FastifyInstance) => {
    app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));
    app.post('/admin/import/finess', async (req, reply) => {
      const token = adminToken();
      const auth = req.headers.authorization?.replace(/^Bearer\s+/i, '');
      if (!token || !sameToken(auth, token)) {
        return reply.code(401).type('application/json').send({ error: 'Jeton d\'administration absent ou invalide', code: 'unauthorized' });
      }
      const q = req.query as { dryRun?: string; name?: string; batch?: string };
      const name = (q.name ?? 'finess.csv').replace(/[^\w.-]/g, '_');
      const dir = mkdtempSync(join(tmpdir(), 'ror-import-'));
      const path = join(dir, name);
      reply.hijack();
      const out = reply.raw;
      out.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8' });
      const send = (o: unknown) => out.write(`${JSON.stringify(o)}\n`);
      try {
        await pipeline(req.body as NodeJS.ReadableStream, createWriteStream(path));
        let last = 0;
        const report = await importFiness(directory, path, {
          dryRun: q.dryRun === '1' || q.dryRun === 'true',
          fileName: q.name ?? name,
          ...(q.batch ? { batchSize: Number(q.batch) } : {}),
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
