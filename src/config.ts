import { z } from 'zod';

/** Runtime configuration, read once from the environment and validated at start-up. */
export const configSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  host: z.string().min(1).default('127.0.0.1'),
  /** Directory of the embedded PGlite database (ignored when databaseUrl is set). */
  dataDir: z.string().min(1).default('./.ror'),
  /** A real PostgreSQL; when absent the embedded PGlite is used. */
  databaseUrl: z.string().url().optional(),
  /** Public base URL used in Location headers and Bundle links (defaults to the request's host). */
  baseUrl: z.string().url().optional(),
  /** Largest accepted request body, in bytes. */
  bodyLimit: z.coerce.number().int().positive().default(5 * 1024 * 1024),
  /** Seed the demo data on first start of an empty database. */
  seed: z.enum(['auto', 'none']).default('auto'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
});

export type Config = z.infer<typeof configSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = configSchema.safeParse({
    port: env.PORT,
    host: env.HOST,
    dataDir: env.ROR_DATA_DIR,
    databaseUrl: env.DATABASE_URL || undefined,
    baseUrl: env.ROR_BASE_URL || undefined,
    bodyLimit: env.ROR_BODY_LIMIT,
    seed: env.ROR_SEED,
    logLevel: env.LOG_LEVEL,
    ...stripUndefined(overrides),
  });
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Configuration invalide : ${details}`);
  }
  return parsed.data;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
