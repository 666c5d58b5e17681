import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** Starts a real `ror serve` in a child process on a fresh database, for benchmarks. */
export interface BenchServer {
  url: string;
  backend: 'pglite' | 'postgres';
  pid: number;
  stop(): Promise<void>;
}

export const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function postgresAvailable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

export async function startBenchServer(backend: 'pglite' | 'postgres', port: number, env: Record<string, string> = {}): Promise<BenchServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ror-bench-'));
  let dbUrl: string | undefined;
  let dbName: string | undefined;
  if (backend === 'postgres') {
    dbName = `ror_bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const u = new URL(PG_ADMIN_URL);
    u.pathname = `/${dbName}`;
    dbUrl = u.toString();
  }
  const child: ChildProcess = spawn(process.execPath, [...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), 'bin/ror.js', 'serve'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      ROR_DATA_DIR: dataDir,
      ROR_SEED: 'none',
      LOG_LEVEL: 'error',
      ...(dbUrl ? { DATABASE_URL: dbUrl } : { DATABASE_URL: '' }),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const r = await fetch(`${url}/health`);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error('server did not start within 120 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    backend,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
      if (dbName && !process.env.BENCH_KEEP_DB) {
        const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
        await admin.end();
      }
    },
  };
}

/** Runs `total` tasks with `concurrency` workers; returns per-task latencies in ms and wall time. */
export async function runConcurrent(total: number, concurrency: number, task: (i: number) => Promise<void>) {
  const latencies: number[] = new Array(total);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const i = next++;
        if (i >= total) return;
        const s = performance.now();
        await task(i);
        latencies[i] = performance.now() - s;
      }
    }),
  );
  return { latencies, wallMs: performance.now() - t0 };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function summarize(latencies: number[]) {
  const s = [...latencies].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99) };
}

/**
 * CPU time (ms, user + system) used so far by the server process, the PostgreSQL processes and this
 * benchmark process, read from /proc (Linux); zeros elsewhere. Two snapshots give where a phase's CPU went.
 */
export function cpuSnapshot(serverPid: number): { server: number; postgres: number; client: number } {
  const tick = 10; // ms per clock tick (USER_HZ = 100 on Linux)
  const ofPid = (pid: number | string): number => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(f[11]) + Number(f[12])) * tick;
    } catch {
      return 0;
    }
  };
  let postgres = 0;
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') postgres += ofPid(pid);
      } catch {
        /* process ended */
      }
    }
  } catch {
    /* no /proc */
  }
  const self = process.cpuUsage();
  return { server: ofPid(serverPid), postgres, client: (self.user + self.system) / 1000 };
}

/** Prints the CPU a phase used per operation, by process, from two `cpuSnapshot`s. */
export function cpuPerOp(before: ReturnType<typeof cpuSnapshot>, after: ReturnType<typeof cpuSnapshot>, ops: number): string {
  const per = (k: keyof typeof before) => ((after[k] - before[k]) / ops).toFixed(2);
  return `CPU per op: server ${per('server')} ms, postgres ${per('postgres')} ms, client ${per('client')} ms`;
}

/**
 * A lean HTTP/1.1 client for load generation: node:http over kept-alive sockets. `fetch` (undici) costs the
 * benchmark process 0.3–0.8 ms of CPU per request, which on a 2-core machine is taken from the server
 * being measured.
 */
export class LoadClient {
  private readonly agent: http.Agent;
  constructor(
    private readonly base: string,
    sockets: number,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  }

  request(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
    const url = new URL(path, this.base);
    return new Promise((resolve, reject) => {
      const req = http.request(
        { agent: this.agent, method, host: url.hostname, port: url.port, path: url.pathname + url.search, headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
