/**
 * Core benchmark: creates Organization (EG) + Location + HealthcareService triples through the FHIR API of
 * a real server process, reads them back by id, then updates capacities as the national capacity flow does
 * (FHIRPath Patch `replace` of a supported-capacity indicator's nbCapacity and capacityUpdateDate, with If-Match
 * of the version read). Prints writes/s, reads/s and patches/s with latency percentiles and the CPU each
 * operation cost per process, on PGlite and on PostgreSQL.
 *
 * The triples are written twice: one request per resource (EG, then Location, then the HealthcareService
 * referencing both), then one transaction Bundle per triple (urn:uuid references resolved by the server).
 *
 *   npm run bench -- core [--triples 2000] [--bundles 2000] [--reads 20000] [--patches 4000] [--concurrency 8] [--backend pglite|postgres]
 */
import { capacity, eg, ej, healthcareService, location } from '../test/fixtures/ror.ts';
import type { Resource } from '../src/fhir/types.ts';
import { LoadClient, cpuPerOp, cpuSnapshot, postgresAvailable, runConcurrent, startBenchServer, summarize } from './_server.ts';

/** In-process profile validation speed (no I/O): the CPU cost every write pays. */
async function validatorThroughput(): Promise<void> {
  const { createValidator } = await import('../src/fhir/validation/validate.ts');
  const { openDatabase } = await import('../src/db/db.ts');
  const { migrate } = await import('../src/db/migrate.ts');
  const { Terminology } = await import('../src/terminology/terminology.service.ts');
  const db = await openDatabase({});
  await migrate(db);
  const terminology = new Terminology(db);
  await terminology.load();
  const validate = createValidator(terminology);
  const samples = [healthcareService('o1', ['l1']), location({ extension: [...(location().extension as unknown[]), capacity('01', 20), capacity('02', 3)] }), eg('ej1')];
  for (const r of samples) {
    const n = 20000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) validate(r);
    const perSecond = n / ((performance.now() - t0) / 1000);
    console.log(`validator: ${r.resourceType} ${perSecond.toFixed(0)}/s (${((1e6 / perSecond)).toFixed(1)} µs each)`);
  }
  await db.close();
}

/**
 * In-process search indexing speed (no I/O) for the three resources of a triple, with the FHIRPath evaluation in
 * use: direct navigation by default, fhirpath.js everywhere with `ROR_FHIRPATH=engine`.
 */
async function indexerThroughput(): Promise<void> {
  const { indexRowsOf } = await import('../src/search/search.indexer.ts');
  const samples = [eg('ej1'), location({ extension: [...(location().extension as unknown[]), capacity('01', 20), capacity('02', 3)] }), healthcareService('o1', ['l1'])];
  for (let i = 0; i < 2000; i++) for (const r of samples) indexRowsOf(r, 'id');
  const n = 20000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) for (const r of samples) indexRowsOf(r, 'id');
  const us = ((performance.now() - t0) * 1000) / (n * samples.length);
  console.log(`indexer (${process.env.ROR_FHIRPATH === 'engine' ? 'fhirpath.js' : 'direct navigation'}): ${us.toFixed(1)} µs a resource (EG, Location with 2 indicators, HealthcareService)`);
}

function arg(args: string[], name: string, def: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : def;
}

export async function main(args: string[]): Promise<void> {
  const triples = Number(arg(args, 'triples', '2000'));
  const reads = Number(arg(args, 'reads', '20000'));
  const patches = Number(arg(args, 'patches', '4000'));
  const bundles = Number(arg(args, 'bundles', String(triples)));
  const concurrency = Number(arg(args, 'concurrency', '8'));
  const only = arg(args, 'backend', '');
  const backends: ('pglite' | 'postgres')[] = [];
  if (!only || only === 'pglite') backends.push('pglite');
  if ((!only || only === 'postgres') && (await postgresAvailable())) backends.push('postgres');
  await validatorThroughput();
  await indexerThroughput();
  console.log(`core benchmark: ${triples} triples (EG + Location + HealthcareService), ${reads} reads, ${concurrency} concurrent clients`);
  for (const backend of backends) {
    const server = await startBenchServer(backend, 18400 + backends.indexOf(backend));
    try {
      const client = new LoadClient(server.url, concurrency);
      const post = async (r: Resource): Promise<string> => {
        const res = await client.request('POST', `/fhir/${r.resourceType}`, JSON.stringify(r), { 'content-type': 'application/fhir+json', prefer: 'return=minimal' });
        if (res.status !== 201) throw new Error(`POST ${r.resourceType} → ${res.status} ${res.body}`);
        return String(res.headers.location).split('/')[5]!;
      };
      const root = await post(ej());
      const ids: string[] = [];
      const cpuW0 = cpuSnapshot(server.pid);
      const writes = await runConcurrent(triples, concurrency, async () => {
        const site = await post(eg(root));
        const loc = await post(location({ extension: [...(location().extension as unknown[]), capacity('01', 20), capacity('02', 3)] }));
        const hs = await post(healthcareService(site, [loc]));
        ids.push(`Organization/${site}`, `Location/${loc}`, `HealthcareService/${hs}`);
      });
      const cpuW1 = cpuSnapshot(server.pid);
      const w = summarize(writes.latencies);
      if (bundles > 0) {
        // The same triples, each in one transaction Bundle: one request, one database transaction.
        const cpuB0 = cpuSnapshot(server.pid);
        const bundleRun = await runConcurrent(bundles, concurrency, async () => {
          const hs = healthcareService('x', []);
          hs.providedBy = { reference: 'urn:uuid:00000000-0000-4000-8000-000000000001' };
          hs.location = [{ reference: 'urn:uuid:00000000-0000-4000-8000-000000000002' }];
          const body = JSON.stringify({
            resourceType: 'Bundle',
            type: 'transaction',
            entry: [
              { fullUrl: 'urn:uuid:00000000-0000-4000-8000-000000000001', resource: eg(root), request: { method: 'POST', url: 'Organization' } },
              { fullUrl: 'urn:uuid:00000000-0000-4000-8000-000000000002', resource: location({ extension: [...(location().extension as unknown[]), capacity('01', 20), capacity('02', 3)] }), request: { method: 'POST', url: 'Location' } },
              { resource: hs, request: { method: 'POST', url: 'HealthcareService' } },
            ],
          });
          const res = await client.request('POST', '/fhir', body, { 'content-type': 'application/fhir+json', prefer: 'return=minimal' });
          if (res.status !== 200) throw new Error(`POST transaction → ${res.status} ${res.body}`);
        });
        const cpuB1 = cpuSnapshot(server.pid);
        const b = summarize(bundleRun.latencies);
        console.log(
          `[${backend}] creates in transaction Bundles: ${((bundles * 3) / (bundleRun.wallMs / 1000)).toFixed(0)} writes/s (${(bundles / (bundleRun.wallMs / 1000)).toFixed(0)} triples/s), ` +
            `bundle latency p50 ${b.p50.toFixed(1)} ms p95 ${b.p95.toFixed(1)} ms p99 ${b.p99.toFixed(1)} ms`,
        );
        console.log(`[${backend}]   write ${cpuPerOp(cpuB0, cpuB1, bundles * 3)}`);
      }
      const cpuR0 = cpuSnapshot(server.pid);
      const readRun = await runConcurrent(reads, concurrency, async (i) => {
        const res = await client.request('GET', `/fhir/${ids[(i * 7919) % ids.length]}`);
        if (res.status !== 200) throw new Error(`GET → ${res.status}`);
      });
      const cpuR1 = cpuSnapshot(server.pid);
      const r = summarize(readRun.latencies);
      const writesPerSec = (triples * 3) / (writes.wallMs / 1000);
      console.log(
        `[${backend}] creates: ${writesPerSec.toFixed(0)} writes/s (${(triples / (writes.wallMs / 1000)).toFixed(0)} triples/s), ` +
          `triple latency p50 ${w.p50.toFixed(1)} ms p95 ${w.p95.toFixed(1)} ms p99 ${w.p99.toFixed(1)} ms`,
      );
      console.log(`[${backend}]   write ${cpuPerOp(cpuW0, cpuW1, triples * 3)}`);
      console.log(
        `[${backend}] reads:   ${(reads / (readRun.wallMs / 1000)).toFixed(0)} reads/s, p50 ${r.p50.toFixed(2)} ms p95 ${r.p95.toFixed(2)} ms p99 ${r.p99.toFixed(2)} ms`,
      );
      console.log(`[${backend}]   read ${cpuPerOp(cpuR0, cpuR1, reads)}`);
      if (patches === 0) {
        client.close();
        continue;
      }
      // Capacity updates: each client takes its own Locations (one writer per unit, as in the field), reads the
      // version, patches the available beds of the second indicator with If-Match.
      const locations = ids.filter((x) => x.startsWith('Location/'));
      const SDR = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/';
      const indicator = `Location.extension.where(url='${SDR}ror-location-supported-capacity')[1]`;
      let conflicts = 0;
      const cpuP0 = cpuSnapshot(server.pid);
      const patchRun = await runConcurrent(patches, concurrency, async (i) => {
        const target = locations[i % locations.length]!;
        for (;;) {
          const cur = await client.request('GET', `/fhir/${target}`);
          const version = String(cur.headers.etag);
          const body = JSON.stringify({
            resourceType: 'Parameters',
            parameter: [
              { name: 'operation', part: [{ name: 'type', valueCode: 'replace' }, { name: 'path', valueString: `${indicator}.extension.where(url='nbCapacity').value` }, { name: 'value', valueInteger: i % 17 }] },
              { name: 'operation', part: [{ name: 'type', valueCode: 'replace' }, { name: 'path', valueString: `${indicator}.extension.where(url='capacityUpdateDate').value` }, { name: 'value', valueDateTime: new Date().toISOString() }] },
            ],
          });
          const res = await client.request('PATCH', `/fhir/${target}`, body, { 'content-type': 'application/fhir+json', 'if-match': version, prefer: 'return=minimal' });
          if (res.status === 412) {
            conflicts++;
            continue;
          }
          if (res.status !== 200) throw new Error(`PATCH ${target} → ${res.status} ${res.body}`);
          return;
        }
      });
      const cpuP1 = cpuSnapshot(server.pid);
      const pp = summarize(patchRun.latencies);
      console.log(
        `[${backend}] capacity patches (GET + PATCH with If-Match): ${(patches / (patchRun.wallMs / 1000)).toFixed(0)} patches/s, ` +
          `p50 ${pp.p50.toFixed(2)} ms p95 ${pp.p95.toFixed(2)} ms p99 ${pp.p99.toFixed(2)} ms, ${conflicts} retried after 412`,
      );
      console.log(`[${backend}]   patch ${cpuPerOp(cpuP0, cpuP1, patches)}`);
      client.close();
    } finally {
      await server.stop();
    }
  }
}
