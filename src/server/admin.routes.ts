import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/db.ts';
import { migrate } from '../db/migrate.ts';
import { sameToken } from '../imports/server-link.ts';

/**
 * Admin route `POST /admin/migrate` for `ror migrate` while this server holds the embedded database
 * (PGlite is single-process): runs the pending migrations on the server's own connection and answers
 * `{ applied, alreadyApplied }`. Bearer token: the server's admin token (imports/server-link.ts).
 */
export function adminRoutes(db: Db, adminToken: () => string | undefined) {
  return (app: FastifyInstance) => {
    app.post('/admin/migrate', async (req, reply) => {
      const token = adminToken();
      const auth = req.headers.authorization?.replace(/^Bearer\s+/i, '');
      if (!token || !sameToken(auth, token)) {
        return reply.code(401).type('application/json').send({ error: 'Jeton d\'administration absent ou invalide', code: 'unauthorized' });
      }
      const r = await migrate(db);
      return reply.type('application/json').send({ applied: r.applied, alreadyApplied: r.alreadyApplied });
    });
  };
}
