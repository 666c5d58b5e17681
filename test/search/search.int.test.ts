import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Resource } from '../../src/fhir/types.ts';
import { communeCentroid, greatCircleKm } from '../../src/search/geo.ts';
import { SEARCH_PARAMETERS } from '../../src/search/search-parameters.ts';
import { compileSearch, countMatches } from '../../src/search/search.service.ts';
import { eg, ej, FINESS, healthcareService, location, practitioner, TRE } from '../fixtures/ror.ts';
import { equipment, indicator, patientType, practitionerRole, price, SYS, task, UCUM } from '../fixtures/search-data.ts';
import { openTestApp, type TestApp } from '../setup/db.ts';

let t: TestApp;
const FHIR = { 'content-type': 'application/fhir+json' };
const SD = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/';
type Saved = Resource & { id: string };

async function post(r: Resource): Promise<Saved> {
  const res = await t.app.inject({ method: 'POST', url: `/fhir/${r.resourceType}`, headers: FHIR, payload: JSON.stringify(r) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Saved;
}

async function put(r: Saved): Promise<Saved> {
  const res = await t.app.inject({ method: 'PUT', url: `/fhir/${r.resourceType}/${r.id}`, headers: FHIR, payload: JSON.stringify(r) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Saved;
}

async function get(url: string, headers: Record<string, string> = {}): Promise<Bundle> {
  const res = await t.app.inject({ method: 'GET', url: `/fhir/${url}`, headers });
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json() as Bundle;
}

/** Ids of the matches of a search, sorted. */
async function ids(url: string): Promise<string[]> {
  const b = await get(url);
  return (b.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource!.id!).sort();
}

const sorted = (...r: Saved[]) => r.map((x) => x.id).sort();
const finessOf = (r: Resource) => (r.identifier as { value: string }[])[0]!.value;
const enc = encodeURIComponent;
const EVRY = { latitude: 48.629, longitude: 2.441 };

// The dataset: two EJ; EJ A has EG A1 (with an OI below it) and EG A2; EJ B has EG B1.
let ejA: Saved, ejB: Saved, egA1: Saved, egA2: Saved, egB1: Saved, oi: Saved;
let L1: Saved, L2: Saved, L3: Saved, L4: Saved;
let hs1: Saved, hs2: Saved, hs3: Saved, hs4: Saved;
let p1: Saved, pr1: Saved;

beforeAll(async () => {
  t = await openTestApp();
  ejA = await post(ej());
  ejB = await post(ej());
  egA1 = await post(eg(ejA.id));
  egA2 = await post(eg(ejA.id, { name: 'Clinique Sainte-Anne' }));
  egB1 = await post(eg(ejB.id));
  oi = await post(eg(egA1.id, { name: 'Pôle cardiologie' }));
  // L1: an available female bed (02, nb 3, gender 01) and two closed reactivable beds.
  L1 = await post(
    location({
      address: { line: ['1 rue de la Paix'], city: 'Évry-Courcouronnes', postalCode: '91000' },
      position: EVRY,
      extension: [
        { url: `${SD}ror-commune-cog`, valueCodeableConcept: { coding: [{ system: TRE.R13, code: '91228' }] } },
        { url: `${SD}ror-meta-creation-date`, valueDateTime: '2024-01-15T10:00:00+01:00' },
        indicator({ status: '02', nb: 3, gender: '01' }),
        indicator({ status: '05', nb: 2, gender: '03', closing: '01', updated: '2025-03-10T08:00:00Z' }),
      ],
    }),
  );
  // L2: the false positive — an "available" indicator with no bed and an "occupied" one with 5 beds.
  L2 = await post(
    location({
      extension: [
        { url: `${SD}ror-commune-cog`, valueCodeableConcept: { coding: [{ system: TRE.R13, code: '78646' }] } },
        { url: `${SD}ror-meta-creation-date`, valueDateTime: '2024-01-15T10:00:00+01:00' },
        indicator({ status: '02', nb: 0, gender: '01' }),
        indicator({ status: '03', nb: 5, gender: '02' }),
      ],
    }),
  );
  // L3: a 250 kg-capable table (088) ; L4: the false positive, 088 limited to 150 kg and another equipment to 300 kg.
  L3 = await post(
    location({
      extension: [
        { url: `${SD}ror-commune-cog`, valueCodeableConcept: { coding: [{ system: TRE.R13, code: '78646' }] } },
        { url: `${SD}ror-meta-creation-date`, valueDateTime: '2024-01-15T10:00:00+01:00' },
        equipment('088', [{ feature: '001', kg: 250 }]),
        equipment('089', [{ feature: '001', kg: 100 }]),
      ],
    }),
  );
  L4 = await post(
    location({
      address: { line: ['3 avenue Foch'], city: 'Paris', postalCode: '75016' },
      extension: [
        { url: `${SD}ror-commune-cog`, valueCodeableConcept: { coding: [{ system: TRE.R13, code: '75116' }] } },
        { url: `${SD}ror-meta-creation-date`, valueDateTime: '2024-01-15T10:00:00+01:00' },
        equipment('088', [{ feature: '001', kg: 150 }]),
        equipment('089', [{ feature: '001', kg: 300 }]),
      ],
    }),
  );
  const withAge = (low: number, high: number) => [
    { url: `${SD}ror-meta-creation-date`, valueDateTime: '2024-01-15T10:00:00+01:00' },
    { url: `${SD}ror-healthcareservice-sensitive-unit`, valueBoolean: false },
    patientType(low, high),
  ];
  hs1 = await post(
    healthcareService(egA1.id, [L1.id], {
      name: 'Cardiologie interventionnelle',
      extension: withAge(18, 90),
      specialty: [{ coding: [{ system: TRE.R211, code: '227', display: 'Cardiologie interventionnelle' }] }],
    }),
  );
  hs2 = await post(
    healthcareService(egA2.id, [L2.id], {
      name: 'Pédiatrie générale',
      extension: withAge(0, 17),
      specialty: [{ coding: [{ system: TRE.R211, code: '005', display: 'Pédiatrie' }] }],
      notAvailable: [{ id: 'closingReopeningDate', description: 'Période de fermeture et de réouverture prévisionnelle', during: { start: '2025-01-10', end: '2025-03-01' } }],
    }),
  );
  hs3 = await post(
    healthcareService(oi.id, [L3.id], {
      name: 'Éducation thérapeutique',
      extension: withAge(40, 70),
      specialty: [{ coding: [{ system: TRE.R211, code: '481', display: 'Éducation thérapeutique du patient' }] }],
    }),
  );
  hs4 = await post(healthcareService(egB1.id, [L4.id], { name: 'Cardiologie', extension: withAge(16, 99), specialty: [{ coding: [{ system: TRE.R211, code: '227' }] }] }));
  p1 = await post(practitioner());
  pr1 = await post(practitionerRole(p1.id, hs1.id));
});

afterAll(async () => {
  await t?.close();
});

describe('token parameters', () => {
  it('matches system|code, code, system| and |code', async () => {
    expect(await ids(`HealthcareService?specialty=${enc(`${TRE.R211}|227`)}`)).toEqual(sorted(hs1, hs4));
    expect(await ids('HealthcareService?specialty=227')).toEqual(sorted(hs1, hs4));
    expect(await ids(`HealthcareService?specialty=${enc(`${TRE.R211}|`)}`)).toEqual(sorted(hs1, hs2, hs3, hs4));
    expect(await ids(`HealthcareService?specialty=${enc('|227')}`)).toEqual([]);
    expect(await ids(`HealthcareService?specialty=${enc('http://autre.example|227')}`)).toEqual([]);
  });

  it('ORs comma-separated values and ANDs repeated parameters', async () => {
    expect(await ids(`HealthcareService?specialty=${enc(`${TRE.R211}|005,481`)}`)).toEqual(sorted(hs2, hs3));
    expect(await ids('HealthcareService?specialty=227,005&specialty=005,481')).toEqual(sorted(hs2));
    expect(await ids(`HealthcareService?specialty=227&characteristic=${enc(`${TRE.R213}|28`)}`)).toEqual(sorted(hs1, hs4));
  });

  it(':not excludes resources having the code (and keeps those without)', async () => {
    expect(await ids('HealthcareService?specialty:not=227')).toEqual(sorted(hs2, hs3));
    expect(await ids('HealthcareService?specialty:not=227,005')).toEqual(sorted(hs3));
  });

  it(':text matches the display, accent- and case-insensitively', async () => {
    expect(await ids('HealthcareService?specialty:text=pediatrie')).toEqual(sorted(hs2));
    expect(await ids('HealthcareService?specialty:text=THERAPEUTIQUE')).toEqual(sorted(hs3));
    expect(await ids('HealthcareService?specialty:text=ardio')).toEqual([]);
  });

  it('identifier with system|value and :of-type', async () => {
    const sync = (L1.identifier as { value: string }[])[0]!.value;
    expect(await ids(`Location?identifier=${enc(sync)}`)).toEqual(sorted(L1));
    expect(await ids(`Location?identifier:of-type=${enc(`|26|${sync}`)}`)).toEqual(sorted(L1));
    expect(await ids(`Location?identifier:of-type=${enc(`|25|${sync}`)}`)).toEqual([]);
    expect(await ids(`Organization?identifier=${enc(`${FINESS}|${finessOf(egA1)}`)}`)).toEqual(sorted(egA1));
    expect(await ids(`Organization?identifier=${enc(`http://autre|${finessOf(egA1)}`)}`)).toEqual([]);
  });

  it('_id and _id:not', async () => {
    expect(await ids(`HealthcareService?_id=${hs1.id},${hs2.id}`)).toEqual(sorted(hs1, hs2));
    expect(await ids(`HealthcareService?_id:not=${hs1.id},${hs2.id}`)).toEqual(sorted(hs3, hs4));
  });
});

describe('string parameters', () => {
  it('starts-with by default, accent- and case-insensitive', async () => {
    expect(await ids('HealthcareService?name=cardio')).toEqual(sorted(hs1, hs4));
    expect(await ids('HealthcareService?name=PEDIATRIE')).toEqual(sorted(hs2));
    expect(await ids('HealthcareService?name=education')).toEqual(sorted(hs3));
    expect(await ids('HealthcareService?name=interventionnelle')).toEqual([]);
    expect(await ids('Location?address-city=evry')).toEqual(sorted(L1));
    expect(await ids('Location?address-postalcode=91,75')).toEqual(sorted(L1, L4));
  });

  it(':contains and :exact', async () => {
    expect(await ids('HealthcareService?name:contains=interventionnelle')).toEqual(sorted(hs1));
    expect(await ids('HealthcareService?name:contains=THÉRAP')).toEqual(sorted(hs3));
    expect(await ids(`HealthcareService?name:exact=${enc('Cardiologie')}`)).toEqual(sorted(hs4));
    expect(await ids(`HealthcareService?name:exact=${enc('cardiologie')}`)).toEqual([]);
  });
});

describe('date parameters', () => {
  const P = 'HealthcareService?notavailable-closing-reopeningdate=';
  it('compares the closing period [2025-01-10, 2025-03-01] with every prefix', async () => {
    expect(await ids(`${P}2025`)).toEqual(sorted(hs2));
    expect(await ids(`${P}2025-01`)).toEqual([]);
    expect(await ids(`${P}ge2025-02-15`)).toEqual(sorted(hs2));
    expect(await ids(`${P}gt2025-03-01`)).toEqual([]);
    expect(await ids(`${P}lt2025-01-10`)).toEqual([]);
    expect(await ids(`${P}le2025-01-10`)).toEqual(sorted(hs2));
    expect(await ids(`${P}sa2024-12-31`)).toEqual(sorted(hs2));
    expect(await ids(`${P}sa2025-01-10`)).toEqual([]);
    expect(await ids(`${P}eb2025-03-02`)).toEqual(sorted(hs2));
    expect(await ids(`${P}eb2025-03-01`)).toEqual([]);
    expect(await ids(`${P}ne2025`)).toEqual([]);
    expect(await ids(`${P}ne2024`)).toEqual(sorted(hs2));
    expect(await ids(`${P}ap2025-02-01`)).toEqual(sorted(hs2));
  });

  it('capacity-update-date and _lastUpdated', async () => {
    expect(await ids('Location?capacity-update-date=ge2025-03-01')).toEqual(sorted(L1));
    expect(await ids('Location?capacity-update-date=2025-02-26T15:17:33Z')).toEqual(sorted(L1, L2));
    const all = await ids('HealthcareService?_lastUpdated=ge2020-01-01');
    expect(all).toEqual(sorted(hs1, hs2, hs3, hs4));
    expect(await ids('HealthcareService?_lastUpdated=lt2020-01-01')).toEqual([]);
  });
});

describe('number and quantity parameters', () => {
  it('nb-capacity with prefixes', async () => {
    expect(await ids('Location?nb-capacity=gt0')).toEqual(sorted(L1, L2));
    expect(await ids('Location?nb-capacity=5')).toEqual(sorted(L2));
    expect(await ids('Location?nb-capacity=ge4')).toEqual(sorted(L2));
    expect(await ids('Location?nb-capacity=lt1')).toEqual(sorted(L2));
  });

  it('age ranges: age-range-low le 35 and age-range-high ge 35', async () => {
    expect(await ids('HealthcareService?age-range-low=le35')).toEqual(sorted(hs1, hs2, hs4));
    expect(await ids('HealthcareService?age-range-low=le35&age-range-high=ge35')).toEqual(sorted(hs1, hs4));
    expect(await ids('HealthcareService?age-range-high=lt18')).toEqual(sorted(hs2));
  });

  it('limit-value with system and unit', async () => {
    expect(await ids(`Location?limit-value=${enc(`ge200|${UCUM}|kg`)}`)).toEqual(sorted(L3, L4));
    expect(await ids(`Location?limit-value=${enc('ge200||g')}`)).toEqual([]);
  });
});

describe('correlated capacity and equipment criteria', () => {
  it('all capacity criteria must hold on the same indicator (false positive excluded)', async () => {
    // L2 has a status-02 indicator and an indicator with nb > 0, but not one indicator with both.
    expect(await ids(`Location?capacity-status=${enc(`${SYS.R330}|02`)}&nb-capacity=gt0`)).toEqual(sorted(L1));
    expect(await ids('Location?capacity-status=02&gender-capacity-available=02')).toEqual([]);
    expect(await ids('Location?capacity-status=03&gender-capacity-available=02')).toEqual(sorted(L2));
    expect(await ids('Location?capacity-closing-type=01&capacity-status=05&nb-capacity=gt0')).toEqual(sorted(L1));
    expect(await ids('Location?capacity-closing-type=01&capacity-status=02')).toEqual([]);
  });

  it('the IG query "available female bed" chained from HealthcareService', async () => {
    const q =
      `HealthcareService?specialty=${enc(`${TRE.R211}|227`)}&location.capacity-type=${enc(`${SYS.R329}|01`)}` +
      `&location.gender-capacity-available=${enc(`${SYS.R332}|01`)}&location.temporality-capacity=${enc(`${SYS.R331}|01`)}` +
      `&location.capacity-status=${enc(`${SYS.R330}|02`)}&location.nb-capacity=gt0&_include=HealthcareService:location`;
    const b = await get(q);
    expect(b.total).toBe(1);
    expect(b.entry!.map((e) => `${e.search!.mode}:${e.resource!.resourceType}/${e.resource!.id}`)).toEqual([`match:HealthcareService/${hs1.id}`, `include:Location/${L1.id}`]);
    // Same criteria without specialty: L2's offer is still excluded.
    expect(await ids('HealthcareService?location.capacity-status=02&location.nb-capacity=gt0')).toEqual(sorted(hs1));
  });

  it('crisis-type:missing and capacity-status:not are evaluated per indicator', async () => {
    expect(await ids('Location?capacity-status=05&capacity-closing-type:missing=true')).toEqual([]);
    expect(await ids('Location?capacity-status=02&capacity-closing-type:missing=true')).toEqual(sorted(L1, L2));
    expect(await ids('Location?capacity-status:not=02&nb-capacity=gt3')).toEqual(sorted(L2));
  });

  it('alone, :missing and :not of a grouped parameter mean the resource (FHIR), not one instance', async () => {
    const all = await ids('Location?_count=200');
    const minus = (xs: string[]) => all.filter((x) => !xs.includes(x));
    const equipped = await ids('Location?equipment-type:missing=false');
    expect(equipped).toEqual(expect.arrayContaining(sorted(L3, L4)));
    // A place without any equipment has equipment-type missing.
    expect(await ids('Location?equipment-type:missing=true')).toEqual(minus(equipped));
    expect((await ids('Location?equipment-type:missing=true')).length).toBeGreaterThan(0);
    // capacity-status:not=02: places with no status-02 record at all (L1 and L2 have one, beside other records).
    const with02 = await ids('Location?capacity-status=02');
    expect(with02).toEqual(expect.arrayContaining(sorted(L1, L2)));
    expect(await ids('Location?capacity-status:not=02')).toEqual(minus(with02));
  });

  it('equipment type, feature and limit must hold on the same equipment', async () => {
    const q = `equipment-type=${enc(`${SYS.R212}|088`)}&equipment-feature=${enc(`${SYS.R340}|001`)}&limit-value=${enc(`ge200|${UCUM}|kg`)}`;
    expect(await ids(`Location?${q}`)).toEqual(sorted(L3));
    expect(await ids(`HealthcareService?${q.replace(/(^|&)/g, '$1location.')}`)).toEqual(sorted(hs3));
  });
});

describe('references, chains and :above', () => {
  it('reference by Type/id and by id, and :missing', async () => {
    expect(await ids(`HealthcareService?organization=Organization/${egA1.id}`)).toEqual(sorted(hs1));
    expect(await ids(`HealthcareService?location=${L2.id}`)).toEqual(sorted(hs2));
    expect(await ids('Organization?partof:missing=true')).toEqual(sorted(ejA, ejB));
    expect(await ids(`Organization?partof=${ejA.id}`)).toEqual(sorted(egA1, egA2));
  });

  it('forward chains on location and organization', async () => {
    expect(await ids('HealthcareService?location.address-city=evry')).toEqual(sorted(hs1));
    expect(await ids(`HealthcareService?location.commune-cog=${enc(`${TRE.R13}|78646`)}`)).toEqual(sorted(hs2, hs3));
    expect(await ids(`HealthcareService?organization.identifier=${finessOf(egA1)}`)).toEqual(sorted(hs1));
    expect(await ids(`HealthcareService?organization.identifier=${finessOf(ejA)}`)).toEqual([]);
    expect(await ids(`PractitionerRole?practitioner.identifier=${enc((p1.identifier as { value: string }[])[0]!.value)}`)).toEqual(sorted(pr1));
  });

  it('organization:above walks the EJ → EG → OI hierarchy', async () => {
    expect(await ids(`HealthcareService?organization:above.identifier=${finessOf(ejA)}`)).toEqual(sorted(hs1, hs2, hs3));
    expect(await ids(`HealthcareService?organization:above.identifier=${finessOf(egA1)}`)).toEqual(sorted(hs1, hs3));
    expect(await ids(`HealthcareService?organization:above=Organization/${ejB.id}`)).toEqual(sorted(hs4));
    // Production CS spelling, modifier after the chained parameter.
    expect(await ids(`HealthcareService?organization.identifier:above=${finessOf(ejA)}`)).toEqual(sorted(hs1, hs2, hs3));
  });
});

describe('_include and _revinclude', () => {
  it('the IG include tail, with :iterate up the hierarchy and practitioners of revincluded roles', async () => {
    const b = await get(
      `HealthcareService?_id=${hs1.id}&_include=HealthcareService:organization&_include:iterate=Organization:partof` +
        '&_include=HealthcareService:location&_revinclude=PractitionerRole:service&_include=PractitionerRole:practitioner',
    );
    const got = b.entry!.map((e) => `${e.search!.mode}:${e.resource!.resourceType}/${e.resource!.id}`).sort();
    expect(got).toEqual(
      [
        `match:HealthcareService/${hs1.id}`,
        `include:Organization/${egA1.id}`,
        `include:Organization/${ejA.id}`,
        `include:Location/${L1.id}`,
        `include:PractitionerRole/${pr1.id}`,
        `include:Practitioner/${p1.id}`,
      ].sort(),
    );
    expect(b.total).toBe(1);
  });

  it('without :iterate, partof is not followed from included organisations', async () => {
    const b = await get(`HealthcareService?_id=${hs3.id}&_include=HealthcareService:organization&_include=Organization:partof`);
    const got = b.entry!.map((e) => `${e.resource!.resourceType}/${e.resource!.id}`).sort();
    // Organization:partof has another source type, so it runs once on the included OI (→ EG A1) and again on EG A1.
    expect(got).toEqual([`HealthcareService/${hs3.id}`, `Organization/${oi.id}`, `Organization/${egA1.id}`, `Organization/${ejA.id}`].sort());
    const direct = await get(`Organization?_id=${oi.id}&_include=Organization:partof`);
    expect(direct.entry!.map((e) => e.resource!.id).sort()).toEqual([oi.id, egA1.id].sort());
  });

  it('Location?_revinclude=HealthcareService:location', async () => {
    const b = await get(`Location?_id=${L3.id},${L4.id}&_revinclude=HealthcareService:location`);
    expect(b.entry!.map((e) => `${e.search!.mode}:${e.resource!.id}`).sort()).toEqual(
      [`match:${L3.id}`, `match:${L4.id}`, `include:${hs3.id}`, `include:${hs4.id}`].sort(),
    );
  });

  it('rejects an include on a non-reference parameter', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/fhir/HealthcareService?_include=HealthcareService:name' });
    expect(res.statusCode).toBe(400);
    expect(res.json().issue[0].expression).toEqual(['_include']);
  });
});

describe('paging and totals', () => {
  it('pages with opaque next links, total on the first page only, no skip or repeat while data changes', async () => {
    const before = await ids('Organization?_count=200');
    let b = await get('Organization?_count=2');
    expect(b.total).toBe(before.length);
    const seen: string[] = [];
    let changed = false;
    for (;;) {
      seen.push(...b.entry!.filter((e) => e.search?.mode === 'match').map((e) => e.resource!.id!));
      const next = b.link!.find((l) => l.relation === 'next');
      if (!next) break;
      expect(next.url).not.toContain(seen[seen.length - 1]);
      if (!changed) {
        // Between pages: update an already-seen organisation and create a new one.
        changed = true;
        const first = (await get(`Organization?_id=${seen[0]}`)).entry![0]!.resource as Saved;
        await put({ ...first, name: `${String(first.name)} (modifié)` });
        await post(ej());
      }
      b = await get(next.url.slice(next.url.indexOf('/fhir/') + 6));
      expect(b.total).toBeUndefined();
      // Later pages link back to the first one.
      expect(b.link!.find((l) => l.relation === 'first')!.url).toMatch(/\/fhir\/Organization\?_count=2$/);
    }
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of before) expect(seen).toContain(id);
  });

  it('_count is capped at 200 and _count=0 gives only the total', async () => {
    const b = await get('HealthcareService?_count=0');
    expect(b.total).toBe(4);
    expect(b).not.toHaveProperty("entry"); // FHIR JSON has no empty arrays
    const self = (await get('HealthcareService?_count=500')).link!.find((l) => l.relation === 'self')!.url;
    expect(self).toContain('_count=200'); // the cap applied, not the value asked
  });
});

describe('errors', () => {
  it('an unknown parameter or a malformed value is a 400 naming the parameter', async () => {
    for (const [url, expr] of [
      ['HealthcareService?colour=red', 'colour'],
      ['HealthcareService?location.colour=red', 'location.colour'],
      ['Location?nb-capacity=beaucoup', 'nb-capacity'],
      ['HealthcareService?notavailable-closing-reopeningdate=2025-13-01', 'notavailable-closing-reopeningdate'],
      ['HealthcareService?name:below=x', 'name:below'],
      ['HealthcareService?_cursor=%25%25', '_cursor'],
    ] as const) {
      const res = await t.app.inject({ method: 'GET', url: `/fhir/${url}` });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().resourceType).toBe('OperationOutcome');
      expect(res.json().issue[0].expression, url).toEqual([expr]);
    }
  });

  it('Prefer: handling=lenient ignores them and says so in the self link and an outcome entry', async () => {
    const b = await get('HealthcareService?colour=red&specialty=227', { prefer: 'handling=lenient' });
    expect(b.entry!.filter((e) => e.search?.mode === 'match').map((e) => e.resource!.id).sort()).toEqual(sorted(hs1, hs4));
    const self = b.link!.find((l) => l.relation === 'self')!.url;
    expect(self).toMatch(/\/HealthcareService\?specialty=227$/);
    const oo = b.entry!.find((e) => e.search?.mode === 'outcome')!.resource as unknown as { issue: { expression: string[] }[] };
    expect(oo.issue[0]!.expression).toEqual(['colour']);
  });
});

describe('CapabilityStatement', () => {
  it('lists exactly the supported search parameters, includes and revincludes', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/fhir/metadata' });
    const cs = res.json() as { rest: { resource: { type: string; searchParam?: { name: string }[]; searchInclude?: string[]; searchRevInclude?: string[] }[] }[] };
    for (const type of ['Location', 'HealthcareService', 'Organization', 'Practitioner', 'PractitionerRole', 'Task']) {
      const r = cs.rest[0]!.resource.find((x) => x.type === type)!;
      const expected = SEARCH_PARAMETERS.filter((d) => d.base === type && !d.unlisted).map((d) => d.code).sort();
      expect(r.searchParam!.map((p) => p.name).sort(), type).toEqual(expected);
      // A definition is a SearchParameter canonical, or absent (_has, the production server's practitioner chain).
      for (const p of r.searchParam as { name: string; definition?: string }[]) {
        if (p.definition !== undefined) expect(p.definition, `${type}.${p.name}`).toMatch(/\/SearchParameter\/[^#/]+$/);
      }
      expect((r.searchParam as { name: string; definition?: string }[]).find((p) => p.name === '_has')!.definition).toBeUndefined();
    }
    // Not offered: oi-name (its extension is not in the profile) and the alias amount-value.
    const org = cs.rest[0]!.resource.find((x) => x.type === 'Organization')!.searchParam!.map((p) => p.name);
    expect(org).not.toContain('oi-name');
    expect(org).not.toContain('amount-value');
    expect(org).toContain('price-amount-value');
    const hsr = cs.rest[0]!.resource.find((x) => x.type === 'HealthcareService')!;
    expect(hsr.searchInclude).toEqual(expect.arrayContaining(['HealthcareService:organization', 'HealthcareService:location', 'Organization:partof', 'PractitionerRole:practitioner']));
    expect(hsr.searchRevInclude).toEqual(expect.arrayContaining(['PractitionerRole:service', 'Task:focus']));
    const loc = cs.rest[0]!.resource.find((x) => x.type === 'Location')!;
    expect(loc.searchRevInclude).toContain('HealthcareService:location');
  });
});

describe('_has and _content', () => {
  it('reverse chains, including a forward chain behind them', async () => {
    const pId = (p1.identifier as { value: string }[])[0]!.value;
    expect(await ids(`HealthcareService?_has:PractitionerRole:service:practitioner.identifier=${enc(pId)}`)).toEqual(sorted(hs1));
    expect(await ids('HealthcareService?_has:PractitionerRole:service:practitioner.identifier=inconnu')).toEqual([]);
    expect(await ids(`HealthcareService?practitioner.identifier=${enc(pId)}`)).toEqual(sorted(hs1));
    expect(await ids('HealthcareService?practitioner.identifier=inconnu')).toEqual([]);
    const hsId = (hs2.identifier as { value: string }[])[0]!.value;
    const hsId3 = (hs3.identifier as { value: string }[])[0]!.value;
    expect(await ids(`Location?_has:HealthcareService:location:identifier=${enc(`${hsId},${hsId3}`)}`)).toEqual(sorted(L2, L3));
    expect(await ids(`Organization?_has:HealthcareService:organization:specialty=227`)).toEqual(sorted(egA1, egB1));
    expect(await ids(`Organization?_has:Organization:partof:_has:HealthcareService:organization:specialty=481`)).toEqual(sorted(egA1));
  });

  it('rejects a _has whose reference does not point to the searched type', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/fhir/Location?_has:PractitionerRole:service:identifier=x' });
    expect(res.statusCode).toBe(400);
    expect(res.json().issue[0].expression).toEqual(['_has:PractitionerRole:service:identifier']);
  });

  it('_content searches names and descriptions, as a substring without accents', async () => {
    expect(await ids('HealthcareService?_content=cardio')).toEqual(sorted(hs1, hs4));
    expect(await ids('HealthcareService?_content=THERAPEUT')).toEqual(sorted(hs3));
    expect(await ids('Organization?_content=sainte-anne')).toEqual(sorted(egA2));
    expect(await ids('HealthcareService?location._content=hospitalisation')).toEqual(sorted(hs1, hs2, hs3, hs4));
    expect(await ids('HealthcareService?_content=neurologie')).toEqual([]);
  });
});

describe('near and near-insee-code', () => {
  const evry = { lat: EVRY.latitude, lon: EVRY.longitude };
  // Independent expectation: L1 has a position; the others sit at their commune centroid (data/geo).
  const where = () => ({
    [L1.id]: evry,
    [L2.id]: communeCentroid('78646')!,
    [L3.id]: communeCentroid('78646')!,
    [L4.id]: communeCentroid('75116')!,
  });
  const within = (from: { lat: number; lon: number }, km: number) =>
    Object.entries(where())
      .filter(([, pt]) => greatCircleKm(from, pt) <= km)
      .map(([id]) => id)
      .sort();

  it('near=lat|lon|distance|unit with great-circle distances', async () => {
    expect(await ids(`Location?near=${enc('48.629|2.441|5|km')}`)).toEqual(sorted(L1));
    const far = within(evry, 40);
    expect(far.length).toBe(4);
    expect(await ids(`Location?near=${enc('48.629|2.441|40|km')}`)).toEqual(far);
    const d = greatCircleKm(evry, communeCentroid('75116')!);
    expect(await ids(`Location?near=${enc(`48.629|2.441|${Math.round(d * 1000) - 200}|m`)}&_id=${L4.id}`)).toEqual([]);
    expect(await ids(`Location?near=${enc(`48.629|2.441|${Math.round(d * 1000) + 200}|m`)}&_id=${L4.id}`)).toEqual(sorted(L4));
  });

  it('sorts by distance and returns it in entry.search.extension (location-distance)', async () => {
    const b = await get(`Location?near=${enc('48.629|2.441|50|km')}&_sort=near`);
    const got = b.entry!.map((e) => ({ id: e.resource!.id!, km: (e.search!.extension as { valueDistance: { value: number } }[])[0]!.valueDistance.value }));
    const expected = Object.entries(where())
      .map(([id, pt]) => ({ id, km: greatCircleKm(evry, pt) }))
      .sort((a, b) => a.km - b.km || (a.id < b.id ? -1 : 1));
    expect(got.map((x) => x.id)).toEqual(expected.map((x) => x.id));
    got.forEach((x, i) => expect(x.km).toBeCloseTo(expected[i]!.km, 2));
    expect((b.entry![0]!.search!.extension as { url: string }[])[0]!.url).toBe('http://hl7.org/fhir/StructureDefinition/location-distance');
  });

  it('near-insee-code=COG|distance|unit, chained from HealthcareService', async () => {
    const c = communeCentroid('91228')!;
    expect(await ids(`Location?near-insee-code=${enc('91228|5|km')}`)).toEqual(within(c, 5));
    expect(within(c, 5)).toEqual(sorted(L1));
    const b = await get(`HealthcareService?location.near-insee-code=${enc('91228|5|km')}&specialty=227`);
    expect(b.entry!.map((e) => e.resource!.id)).toEqual([hs1.id]);
    const km = (b.entry![0]!.search!.extension as { valueDistance: { value: number } }[])[0]!.valueDistance.value;
    expect(km).toBeCloseTo(greatCircleKm(c, evry), 2);
  });

  it('rejects malformed positions and unknown communes', async () => {
    for (const [url, expr] of [
      [`Location?near=${enc('abc|2|5|km')}`, 'near'],
      [`Location?near=${enc('48|2|5|miles')}`, 'near'],
      [`Location?near-insee-code=${enc('99999|5|km')}`, 'near-insee-code'],
    ] as const) {
      const res = await t.app.inject({ method: 'GET', url: `/fhir/${url}` });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().issue[0].expression).toEqual([expr]);
    }
  });
});

describe('_sort', () => {
  const order = async (url: string) => (await get(url)).entry!.filter((e) => e.search?.mode === 'match').map((e) => e.resource!.id);

  it('sorts on string, number and date parameters, ascending and descending', async () => {
    expect(await order('HealthcareService?_sort=name')).toEqual([hs4.id, hs1.id, hs3.id, hs2.id]);
    expect(await order('HealthcareService?_sort=-name')).toEqual([hs2.id, hs3.id, hs1.id, hs4.id]);
    expect(await order('HealthcareService?_sort=age-range-low')).toEqual([hs2.id, hs4.id, hs1.id, hs3.id]);
    const byDate = await order('HealthcareService?_sort=notavailable-closing-reopeningdate');
    expect(byDate[0]).toBe(hs2.id);
    expect(byDate.slice(1)).toEqual(sorted(hs1, hs3, hs4));
  });

  it('chained sort (IG: _sort=-organization.price-validity-start-date)', async () => {
    const got = await order('HealthcareService?_sort=organization.name');
    expect(got[0]).toBe(hs2.id); // « Clinique Sainte-Anne »
    expect(got[3]).toBe(hs3.id); // « Pôle cardiologie »
  });

  it('pages through a sorted result with the cursor, nulls last, without skip or repeat', async () => {
    for (const [sort, expected] of [
      ['-age-range-low', [hs3.id, hs1.id, hs4.id, hs2.id]],
      ['notavailable-closing-reopeningdate', [hs2.id, ...sorted(hs1, hs3, hs4)]],
      ['-_lastUpdated', undefined],
    ] as const) {
      let b = await get(`HealthcareService?_sort=${sort}&_count=1`);
      const seen: string[] = [];
      for (;;) {
        seen.push(...b.entry!.map((e) => e.resource!.id!));
        const next = b.link!.find((l) => l.relation === 'next');
        if (!next) break;
        b = await get(next.url.slice(next.url.indexOf('/fhir/') + 6));
      }
      if (expected) expect(seen, sort).toEqual(expected);
      else expect([...seen].sort()).toEqual(sorted(hs1, hs2, hs3, hs4));
    }
  });

  it('rejects an unknown sort key', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/fhir/HealthcareService?_sort=colour' });
    expect(res.statusCode).toBe(400);
    expect(res.json().issue[0].expression).toEqual(['_sort']);
  });
});

describe('_filter', () => {
  const f = (expr: string) => ids(`HealthcareService?_filter=${enc(expr)}`);

  it('the IG shapes: OR of criteria AND-ed with an age range; chained criterion OR criterion', async () => {
    expect(await f(`((specialty eq ${TRE.R211}|005) or (specialty eq ${TRE.R211}|481)) and (age-range-low le 45 and age-range-high ge 45)`)).toEqual(sorted(hs3));
    expect(await f(`((specialty eq ${TRE.R211}|005) or (specialty eq ${TRE.R211}|481)) and (age-range-low le 10 and age-range-high ge 10)`)).toEqual(sorted(hs2));
    expect(await f('(organization.name co sainte) or (specialty eq 481)')).toEqual(sorted(hs2, hs3));
    expect(await ids(`HealthcareService?_filter=${enc('(organization.name co sainte) or (specialty eq 481)')}&specialty=005`)).toEqual(sorted(hs2));
  });

  it('not, string operators, pr, quoted values and the IG spelling _content=…', async () => {
    expect(await f('not(specialty eq 227)')).toEqual(sorted(hs2, hs3));
    expect(await f('not (specialty eq 227 or specialty eq 005)')).toEqual(sorted(hs3));
    expect(await f('name sw cardio')).toEqual(sorted(hs1, hs4));
    expect(await f('name co THÉRAP')).toEqual(sorted(hs3));
    // eq on a string is the string parameter's matching (starts with, accents and case ignored); :exact in the path for equality.
    expect(await f('name eq "Cardiologie"')).toEqual(sorted(hs1, hs4));
    expect(await f('name:exact eq "Cardiologie"')).toEqual(sorted(hs4));
    expect(await f('name:exact eq "cardiologie"')).toEqual([]);
    expect(await f('notavailable-closing-reopeningdate pr true')).toEqual(sorted(hs2));
    expect(await f('notavailable-closing-reopeningdate pr false')).toEqual(sorted(hs1, hs3, hs4));
    expect(await f('organization.name co "sainte-anne"')).toEqual(sorted(hs2));
    expect(await f('(_content=cardio or location._content=introuvable)')).toEqual(sorted(hs1, hs4));
    expect(await f('specialty ne 227 and specialty ne 005')).toEqual(sorted(hs3));
  });

  it('UC2 incremental: the offer or any parent organisation changed since T', async () => {
    await new Promise((r) => setTimeout(r, 20));
    const since = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    const cur = (await get(`Organization?_id=${ejB.id}`)).entry![0]!.resource as Saved;
    await put({ ...cur, name: 'Entité juridique renommée' });
    expect(await f(`(_lastUpdated ge ${since} or organization._lastUpdated:above ge ${since})`)).toEqual(sorted(hs4));
    expect(await f(`(_lastUpdated ge ${since} or organization:above._lastUpdated ge ${since})`)).toEqual(sorted(hs4));
    expect(await f(`(_lastUpdated ge ${since} or organization._lastUpdated ge ${since})`)).toEqual([]);
  });

  it('AND-ed capacity leaves correlate on one indicator, as plain parameters do', async () => {
    expect(await f('location.capacity-status eq 02 and location.nb-capacity gt 0')).toEqual(sorted(hs1));
    expect(await ids(`Location?_filter=${enc('capacity-status eq 02 and nb-capacity gt 0')}`)).toEqual(sorted(L1));
    expect(await ids(`Location?_filter=${enc('(capacity-status eq 02 and nb-capacity gt 0) or (capacity-status eq 03 and gender-capacity-available eq 02)')}`)).toEqual(sorted(L1, L2));
  });

  it('syntax errors and unknown parameters are 400 on _filter', async () => {
    for (const expr of ['(specialty eq 227', 'specialty zz 227', 'colour eq red', 'specialty eq 227 and', 'name gt x']) {
      const res = await t.app.inject({ method: 'GET', url: `/fhir/HealthcareService?_filter=${enc(expr)}` });
      expect(res.statusCode, expr).toBe(400);
      expect(res.json().issue[0].expression, expr).toEqual(['_filter']);
    }
    const unknown = await t.app.inject({ method: 'GET', url: `/fhir/HealthcareService?_filter=${enc('foo eq 1')}` });
    expect(unknown.json().issue[0].diagnostics).toContain('paramètre inconnu « foo »');
  });
});

describe('prices (correlated) and anomalies', () => {
  let ehpad: Saved, other: Saved, offer: Saved, anomaly: Saved;
  beforeAll(async () => {
    const created = { url: `${SD}ror-meta-creation-date`, valueDateTime: '2024-01-15T10:00:00+01:00' };
    ehpad = await post(
      eg(ejB.id, {
        name: 'EHPAD Les Tilleuls',
        extension: [created, price({ type: '02', amount: 50, residential: '03', special: '03', start: '2024-01-01T00:00:00Z' }), price({ type: '03', amount: 80, residential: '01' })],
      }),
    );
    other = await post(eg(ejB.id, { name: 'EHPAD Les Chênes', extension: [created, price({ type: '02', amount: 70, start: '2025-01-01T00:00:00Z' })] }));
    offer = await post(healthcareService(ehpad.id, [], { name: 'Hébergement permanent' }));
    anomaly = await post(task(`HealthcareService/${offer.id}`));
  });

  it('price criteria must hold on the same tariff', async () => {
    expect(await ids(`Organization?price-type=${enc(`${SYS.R246}|02`)}&price-amount-value=lt60`)).toEqual(sorted(ehpad));
    expect(await ids('Organization?price-type=03&price-amount-value=lt60')).toEqual([]);
    // The IG SearchParameter's own code is accepted too (same index rows, same price record).
    expect(await ids(`Organization?price-type=${enc(`${SYS.R246}|02`)}&amount-value=lt60`)).toEqual(sorted(ehpad));
    expect(await ids('Organization?price-residential-type=01&special-price=03')).toEqual([]);
    expect(await ids('Organization?price-residential-type=03&special-price=03')).toEqual(sorted(ehpad));
    expect(await ids('Organization?price-type=02&price-validity-start-date=ge2024-06-01')).toEqual(sorted(other));
    expect(await ids(`HealthcareService?organization.price-type=02&organization.price-amount-value=lt60`)).toEqual(sorted(offer));
  });

  it('UC5 chained sort: -organization.price-validity-start-date', async () => {
    const offer2 = await post(healthcareService(other.id, [], { name: 'Hébergement temporaire' }));
    const b = await get('HealthcareService?organization.price-type=02&_sort=-organization.price-validity-start-date');
    expect(b.entry!.map((e) => e.resource!.id)).toEqual([offer2.id, offer.id]);
  });

  it('Task: _revinclude=Task:focus, _has:Task:focus:business-status, Task search parameters', async () => {
    const b = await get(`HealthcareService?_id=${offer.id}&_revinclude=Task:focus`);
    expect(b.entry!.map((e) => `${e.search!.mode}:${e.resource!.resourceType}/${e.resource!.id}`)).toEqual([`match:HealthcareService/${offer.id}`, `include:Task/${anomaly.id}`]);
    expect(await ids('HealthcareService?_has:Task:focus:business-status=02,10')).toEqual(sorted(offer));
    expect(await ids('HealthcareService?_has:Task:focus:business-status=08')).toEqual([]);
    expect(await ids(`Task?focus=HealthcareService/${offer.id}&authored-on=2025-01-10&_content=telephone`)).toEqual(sorted(anomaly));
  });

  it('Task?focus:identifier= finds an anomaly pointing at its structure by identifier only (the IG example)', async () => {
    const byId = await post({ ...task('HealthcareService/x'), focus: { type: 'Organization', identifier: { system: 'https://finess.esante.gouv.fr', value: '1910800002' } } } as Resource);
    expect(await ids('Task?focus:identifier=1910800002')).toEqual(sorted(byId));
    expect(await ids(`Task?focus:identifier=${enc('https://finess.esante.gouv.fr|1910800002')}`)).toEqual(sorted(byId));
    expect(await ids(`Task?focus:identifier=${enc('https://autre|1910800002')}`)).toEqual([]);
    expect(await ids(`Task?focus=HealthcareService/${offer.id}`)).toEqual(sorted(anomaly));
  });
});

describe('more modifiers and prefixes', () => {
  it('_tag, number ne/ap, string :missing, _revinclude:iterate', async () => {
    const region = { system: 'https://mos.esante.gouv.fr/NOS/TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM', code: '11' };
    const tagged = await post(location({ meta: { profile: [`${SD}ror-location`], tag: [region] } }));
    expect(await ids(`Location?_tag=${enc(`${region.system}|11`)}`)).toEqual(sorted(tagged));
    expect(await ids(`Location?_tag=${enc(`${region.system}|84`)}`)).toEqual([]);
    expect(await ids('Location?nb-capacity=ne0&capacity-status=02')).toEqual(sorted(L1));
    expect(await ids('Location?nb-capacity=ap5')).toEqual(sorted(L2));
    expect(await ids('Location?nb-capacity=ap100')).toEqual([]);
    expect(await ids(`HealthcareService?psychiatric-sector:missing=false`)).toEqual([]);
    expect((await ids('HealthcareService?psychiatric-sector:missing=true')).length).toBeGreaterThanOrEqual(4);
    const b = await get(`Practitioner?_id=${p1.id}&_revinclude=PractitionerRole:practitioner&_include:iterate=PractitionerRole:service`);
    expect(b.entry!.map((e) => `${e.resource!.resourceType}/${e.resource!.id}`).sort()).toEqual(
      [`Practitioner/${p1.id}`, `PractitionerRole/${pr1.id}`, `HealthcareService/${hs1.id}`].sort(),
    );
  });

  it('rest.searchParam lists the result parameters', async () => {
    const cs = (await t.app.inject({ method: 'GET', url: '/fhir/metadata' })).json() as { rest: { searchParam: { name: string }[] }[] };
    expect(cs.rest[0]!.searchParam.map((p) => p.name).sort()).toEqual(['_count', '_cursor', '_elements', '_format', '_include', '_revinclude', '_sort', '_summary', '_total']);
  });
});

describe('gaps closed: _filter operators, :below, :in / :not-in, wildcard includes, _elements, _summary, _total', () => {
  const J17 = 'https://mos.esante.gouv.fr/NOS/JDV_J17-ActiviteOperationnelle-ROR/FHIR/JDV-J17-ActiviteOperationnelle-ROR';
  const J188 = 'https://mos.esante.gouv.fr/NOS/JDV_J188-TypeStatutCapacite-ROR/FHIR/JDV-J188-TypeStatutCapacite-ROR';
  // Restricted to the four offers of the first dataset (later describes add others).
  const only = () => `&_id=${[hs1, hs2, hs3, hs4].map((x) => x.id).join(',')}`;
  const f = (expr: string) => ids(`HealthcareService?_filter=${enc(expr)}${only()}`);
  const status = async (url: string) => {
    const res = await t.app.inject({ method: 'GET', url: `/fhir/${url}` });
    return { code: res.statusCode, expression: res.statusCode === 400 ? (res.json().issue[0].expression as string[]) : undefined };
  };

  it('_filter string operators sw, co, ew, eq, ne', async () => {
    expect(await f('name sw cardio')).toEqual(sorted(hs1, hs4));
    expect(await f('name co THÉRAP')).toEqual(sorted(hs3));
    expect(await f('name ew "générale"')).toEqual(sorted(hs2));
    expect(await f('name ew GENERALE')).toEqual(sorted(hs2));
    expect(await f('name ew cardio')).toEqual([]);
    expect(await f('name ne cardiologie')).toEqual(sorted(hs2, hs3));
  });

  it('_filter token operators eq, ne, ss, sb, in, ni', async () => {
    expect(await f('specialty ss 227')).toEqual(sorted(hs1, hs4));
    expect(await f(`specialty sb ${TRE.R211}|227`)).toEqual(sorted(hs1, hs4));
    expect(await f(`specialty in ${J17}`)).toEqual(sorted(hs1, hs2, hs3, hs4));
    expect(await f(`specialty in ${J188}`)).toEqual([]);
    expect(await f(`specialty ni ${J17}`)).toEqual([]);
    expect(await f(`specialty ni ${J188}`)).toEqual(sorted(hs1, hs2, hs3, hs4));
    expect(await f(`specialty ne 227 and specialty in ${J17}`)).toEqual(sorted(hs2, hs3));
  });

  it('_filter reference, number and date operators: re, ne, ap, po', async () => {
    expect(await f(`organization re Organization/${egA1.id}`)).toEqual(sorted(hs1));
    expect(await f(`organization ne Organization/${egA1.id}`)).toEqual(sorted(hs2, hs3, hs4));
    // ap: ±10 % of 17 = [15.3, 18.7] → 16 (hs4) and 18 (hs1).
    expect(await f('age-range-low ap 17')).toEqual(sorted(hs1, hs4));
    expect(await f('age-range-low ne 0')).toEqual(sorted(hs1, hs3, hs4));
    expect(await f('notavailable-closing-reopeningdate po 2025-02')).toEqual(sorted(hs2));
    expect(await f('notavailable-closing-reopeningdate po 2025-04')).toEqual([]);
    expect(await f('notavailable-closing-reopeningdate eq 2025-02')).toEqual([]);
  });

  it('malformed _filter operators are 400 on _filter', async () => {
    for (const expr of ['specialty ew 227', 'name ss x', 'age-range-low co 3', 'organization sw x', `specialty in pas-une-url`, 'name ew', 'specialty in https://example.org/ValueSet/inconnu']) {
      expect(await status(`HealthcareService?_filter=${enc(expr)}`), expr).toEqual({ code: 400, expression: ['_filter'] });
    }
  });

  it(':in and :not-in against the NOS value sets (per indicator inside a capacity group)', async () => {
    expect(await ids(`HealthcareService?specialty:in=${enc(J17)}${only()}`)).toEqual(sorted(hs1, hs2, hs3, hs4));
    expect(await ids(`HealthcareService?specialty:in=${enc(J188)}`)).toEqual([]);
    expect(await ids(`HealthcareService?specialty:not-in=${enc(J188)}${only()}`)).toEqual(sorted(hs1, hs2, hs3, hs4));
    expect(await ids(`HealthcareService?specialty:not-in=${enc(J17)}`)).toEqual([]);
    expect(await ids(`Location?capacity-status:in=${enc(J188)}&nb-capacity=gt3`)).toEqual(sorted(L2));
    expect(await ids(`Location?capacity-status:in=${enc(J188)}&nb-capacity=gt2`)).toEqual(sorted(L1, L2));
    expect(await ids(`Location?capacity-status:in=${enc(J17)}`)).toEqual([]);
    expect(await ids(`HealthcareService?location.capacity-status:in=${enc(J188)}&location.nb-capacity=ge3`)).toEqual(sorted(hs1, hs2));
    expect(await status(`HealthcareService?specialty:in=${enc('https://example.org/ValueSet/inconnu')}`)).toEqual({ code: 400, expression: ['specialty:in'] });
    expect(await status('HealthcareService?specialty:in=pas-une-url')).toEqual({ code: 400, expression: ['specialty:in'] });
    expect(await status(`HealthcareService?name:in=${enc(J17)}`)).toEqual({ code: 400, expression: ['name:in'] });
  });

  it(':below on the organisation hierarchy (the referenced organisation or one below it)', async () => {
    expect(await ids(`HealthcareService?organization:below=Organization/${ejA.id}`)).toEqual(sorted(hs1, hs2, hs3));
    expect(await ids(`HealthcareService?organization:below.identifier=${finessOf(egA1)}`)).toEqual(sorted(hs1, hs3));
    expect(await ids(`HealthcareService?organization:below=Organization/${egB1.id}`)).toEqual(sorted(hs4));
    expect(await status('HealthcareService?location:below=Location/x')).toEqual({ code: 200, expression: undefined });
    expect(await status('HealthcareService?specialty:below=227')).toEqual({ code: 400, expression: ['specialty:below'] });
  });

  it('_include=* and _revinclude=*', async () => {
    const b = await get(`HealthcareService?_id=${hs1.id}&_include=*&_revinclude=*`);
    expect(b.entry!.map((e) => `${e.search!.mode}:${e.resource!.resourceType}/${e.resource!.id}`).sort()).toEqual(
      [`match:HealthcareService/${hs1.id}`, `include:Organization/${egA1.id}`, `include:Location/${L1.id}`, `include:PractitionerRole/${pr1.id}`].sort(),
    );
    const l = await get(`Location?_id=${L3.id}&_revinclude=*`);
    expect(l.entry!.map((e) => `${e.resource!.resourceType}/${e.resource!.id}`).sort()).toEqual([`Location/${L3.id}`, `HealthcareService/${hs3.id}`].sort());
    const cs = (await t.app.inject({ method: 'GET', url: '/fhir/metadata' })).json() as { rest: { resource: { type: string; searchInclude?: string[]; searchRevInclude?: string[] }[] }[] };
    const hsr = cs.rest[0]!.resource.find((x) => x.type === 'HealthcareService')!;
    expect(hsr.searchInclude).toContain('*');
    expect(hsr.searchRevInclude).toContain('*');
  });

  it('_elements and _summary=data|true|text subset the matches (SUBSETTED), unknown _summary values are 400', async () => {
    const b = await get(`HealthcareService?_id=${hs1.id}&_elements=name,specialty&_include=HealthcareService:location`);
    const m = b.entry!.find((e) => e.search?.mode === 'match')!.resource!;
    expect(Object.keys(m).sort()).toEqual(['id', 'meta', 'name', 'resourceType', 'specialty']);
    expect((m.meta as { tag: { code: string }[] }).tag.map((x) => x.code)).toEqual(['SUBSETTED']);
    expect(b.entry!.find((e) => e.search?.mode === 'include')!.resource!.extension).toBeDefined();
    const d = await get(`HealthcareService?_id=${hs1.id}&_summary=data`);
    const full = (await get(`HealthcareService?_id=${hs1.id}`)).entry![0]!.resource!;
    const { meta: _m, ...rest } = d.entry![0]!.resource!;
    const { meta: _f, text: _t, ...fullRest } = full;
    expect(rest).toEqual(fullRest);
    // _summary=true: the R4 summary elements only (no extensions, no characteristic, no notAvailable).
    const t = (await get(`HealthcareService?_id=${hs1.id}&_summary=true`)).entry![0]!.resource!;
    const summaryKeys = ['active', 'category', 'comment', 'id', 'identifier', 'location', 'meta', 'name', 'photo', 'providedBy', 'resourceType', 'specialty', 'type'];
    expect(Object.keys(t).every((k) => summaryKeys.includes(k))).toBe(true);
    expect(t).toMatchObject({ identifier: full.identifier, providedBy: full.providedBy, specialty: full.specialty });
    expect(t.extension).toBeUndefined();
    expect((t.meta as { tag: { code: string }[] }).tag.map((x) => x.code)).toContain('SUBSETTED');
    const x = (await get(`HealthcareService?_id=${hs1.id}&_summary=text`)).entry![0]!.resource!;
    expect(Object.keys(x).every((k) => ['id', 'meta', 'resourceType', 'text'].includes(k))).toBe(true);
    expect(await status('HealthcareService?_summary=yes')).toEqual({ code: 400, expression: ['_summary'] });
    expect(await status('HealthcareService?_elements=Name!')).toEqual({ code: 400, expression: ['_elements'] });
  });

  it('_total: none omits it, estimate and accurate give the exact count, anything else is 400', async () => {
    expect((await get('HealthcareService?specialty=227&_count=1&_total=none')).total).toBeUndefined();
    expect((await get('HealthcareService?specialty=227&_count=1&_total=estimate')).total).toBe(2);
    expect((await get('HealthcareService?specialty=227&_count=1&_total=accurate')).total).toBe(2);
    expect((await get('HealthcareService?specialty=227&_count=1')).total).toBe(2);
    expect(await status('HealthcareService?_total=approximately')).toEqual({ code: 400, expression: ['_total'] });
  });
});

describe('total strategy on broad first pages', () => {
  it('counts exactly up to the cap, estimates above it (at least cap + 1), exactly with accurate', async () => {
    const c = compileSearch({ resourceType: 'HealthcareService', params: [['_lastUpdated', 'ge2000-01-01']], baseUrl: 'http://x/fhir' });
    const exact = (await t.runtime.db.query<{ n: number }>(c.countSql, c.countParams)).rows[0]!.n;
    expect(exact).toBeGreaterThanOrEqual(4);
    expect(await countMatches(t.runtime.db, 'estimate', c.countSql, c.countParams, exact)).toEqual({ n: exact, estimated: false });
    const est = await countMatches(t.runtime.db, 'estimate', c.countSql, c.countParams, 2);
    expect(est.estimated).toBe(true);
    expect(est.n).toBeGreaterThanOrEqual(3);
    expect(await countMatches(t.runtime.db, 'accurate', c.countSql, c.countParams, 2)).toEqual({ n: exact, estimated: false });
    const none = compileSearch({ resourceType: 'HealthcareService', params: [['specialty', 'inexistant']], baseUrl: 'http://x/fhir' });
    expect(await countMatches(t.runtime.db, 'estimate', none.countSql, none.countParams, 2)).toEqual({ n: 0, estimated: false });
  });

  it('counts several id-only criteria over the index rows alone, as the join on resource counts them, deleted ones excluded', async () => {
    const gone = await post(healthcareService(egA1.id, [L1.id], { specialty: [{ coding: [{ system: TRE.R211, code: '227' }] }] }));
    const del = await t.app.inject({ method: 'DELETE', url: `/fhir/HealthcareService/${gone.id}` });
    expect(del.statusCode, del.body).toBeLessThan(300);
    const queries: [string, [string, string][]][] = [
      ['HealthcareService', [['specialty', '227,005'], ['characteristic', `${TRE.R213}|28`]]],
      ['HealthcareService', [['_filter', '((specialty eq 227) or (specialty eq 481)) and (age-range-low le 35 and age-range-high ge 35)']]],
      ['HealthcareService', [['specialty', '227'], ['location.capacity-status', `${TRE.R330}|02`]]],
      ['HealthcareService', [['specialty', '227'], ['specialty:not', '005'], ['_id', `${hs1.id},${hs4.id},${gone.id}`]]],
      ['HealthcareService', [['specialty', '227'], ['organization:above.identifier', `${FINESS}|${finessOf(ejA)}`]]],
      ['Location', [['capacity-status', '02'], ['nb-capacity', 'gt0']]],
    ];
    for (const [resourceType, params] of queries) {
      const c = compileSearch({ resourceType, params, baseUrl: 'http://x/fhir' });
      expect(c.countSql, JSON.stringify(params)).not.toMatch(/FROM resource r WHERE/);
      const viaIndex = (await t.runtime.db.query<{ n: number }>(c.countSql, c.countParams)).rows[0]!.n;
      const matches = await ids(`${resourceType}?${params.map(([k, v]) => `${k}=${enc(v)}`).join('&')}`);
      expect(Number(viaIndex), JSON.stringify(params)).toBe(matches.length);
      expect(matches).not.toContain(gone.id);
    }
    // A criterion on a resource column keeps the join.
    const lu = compileSearch({ resourceType: 'HealthcareService', params: [['specialty', '227'], ['_lastUpdated', 'ge2000-01-01']], baseUrl: 'http://x/fhir' });
    expect(lu.countSql).toMatch(/FROM resource r WHERE/);
  });

  it('a bundle whose first page is full has the exact total below the cap, with no outcome entry', async () => {
    const b = await get('HealthcareService?_count=1&_lastUpdated=ge2000-01-01');
    const all = await ids('HealthcareService?_lastUpdated=ge2000-01-01');
    expect(b.total).toBe(all.length);
    expect(b.entry!.filter((e) => e.search?.mode === 'outcome')).toEqual([]);
  });
});

describe('ordered single-criterion pages', () => {
  it('page through specialty:text and name with the cursor: every match once, in id order, same as the general plan', async () => {
    for (const q of ['HealthcareService?name=cardio', 'HealthcareService?_lastUpdated=ge2000-01-01', 'Organization?name=e', 'Location?address-postalcode=9,7']) {
      const all = await ids(`${q}&_count=200`);
      const seen: string[] = [];
      let b = await get(`${q}&_count=1`);
      for (;;) {
        seen.push(...b.entry!.filter((e) => e.search?.mode === 'match').map((e) => e.resource!.id!));
        const next = b.link!.find((l) => l.relation === 'next');
        if (!next) break;
        b = await get(next.url.slice(next.url.indexOf('/fhir/') + 6));
      }
      expect(seen, q).toEqual(all);
      expect(all.length, q).toBeGreaterThan(0);
    }
    const c = compileSearch({ resourceType: 'HealthcareService', params: [['specialty', '227']], baseUrl: 'http://x/fhir' });
    expect(c.pageSql).toContain('= ANY (ARRAY(SELECT DISTINCT');
    const d = compileSearch({ resourceType: 'HealthcareService', params: [['specialty', '227'], ['name', 'c']], baseUrl: 'http://x/fhir' });
    expect(d.pageSql).not.toContain('ARRAY(SELECT DISTINCT');
  });
});

describe('FHIR edge cases: :missing on _id and _lastUpdated, separate _has, :[type], dates at the ends of the range, cursors, _filter beside parameters', () => {
  it('_id:missing and _lastUpdated:missing (every resource has both), also as _filter … pr', async () => {
    const all = await ids('HealthcareService?_count=200');
    expect(all.length).toBeGreaterThan(0);
    expect(await ids('HealthcareService?_lastUpdated:missing=false&_count=200')).toEqual(all);
    expect(await ids('HealthcareService?_lastUpdated:missing=true')).toEqual([]);
    expect(await ids('HealthcareService?_id:missing=false&_count=200')).toEqual(all);
    expect(await ids('HealthcareService?_id:missing=true')).toEqual([]);
    expect(await ids(`HealthcareService?_filter=${enc('_lastUpdated pr true')}&_count=200`)).toEqual(all);
    expect(await ids(`HealthcareService?_filter=${enc('_lastUpdated pr false')}`)).toEqual([]);
  });

  it('two _has on the same reference may be met by two different sources (repeated parameters are AND-ed)', async () => {
    const site = await post(eg(ejB.id, { name: 'Centre Saint-Louis' }));
    const place = await post(location({ managingOrganization: { reference: `Organization/${site.id}` } } as Partial<Resource>));
    const a = await post(healthcareService(site.id, [place.id], { name: 'Alpha rééducation', specialty: [{ coding: [{ system: TRE.R211, code: '481' }] }] }));
    const b = await post(healthcareService(site.id, [place.id], { name: 'Beta rééducation', specialty: [{ coding: [{ system: TRE.R211, code: '005' }] }] }));
    const ident = (r: Resource) => enc((r.identifier as { value: string }[])[0]!.value);
    expect(await ids(`Location?_has:HealthcareService:location:identifier=${ident(a)}&_has:HealthcareService:location:identifier=${ident(b)}`)).toEqual(sorted(place));
    expect(await ids('Organization?_has:HealthcareService:organization:name=alpha&_has:HealthcareService:organization:name=beta')).toEqual(sorted(site));
    expect(await ids('Organization?_has:HealthcareService:organization:name=alpha&_has:HealthcareService:organization:specialty=005')).toEqual(sorted(site));
    // Each must be met.
    expect(await ids('Organization?_has:HealthcareService:organization:name=inconnu&_has:HealthcareService:organization:name=alpha')).toEqual([]);
  });

  it('the :[type] modifier of a reference parameter', async () => {
    expect(await ids(`HealthcareService?location:Location=${L1.id}`)).toEqual(sorted(hs1));
    expect(await ids(`HealthcareService?organization:Organization=${egA1.id}`)).toEqual(sorted(hs1));
    expect(await ids(`HealthcareService?location:Location=${enc(`Location/${L2.id}`)}`)).toEqual(sorted(hs2));
    const wrongTarget = await t.app.inject({ method: 'GET', url: `/fhir/HealthcareService?location:Location=${enc(`Organization/${egA1.id}`)}` });
    expect(wrongTarget.statusCode).toBe(400);
    const notATarget = await t.app.inject({ method: 'GET', url: `/fhir/HealthcareService?location:Organization=${L1.id}` });
    expect(notATarget.statusCode).toBe(400);
    expect(notATarget.json().issue[0].expression).toEqual(['location:Organization']);
  });

  it('dates at the ends of FHIR\'s range: year 0000 is a 400, ap0001 and 9999 are answered', async () => {
    const bad = await t.app.inject({ method: 'GET', url: '/fhir/Location?_lastUpdated=ge0000' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issue[0].expression).toEqual(['_lastUpdated']);
    expect(await ids('Location?_lastUpdated=ap0001-01-01')).toEqual([]);
    expect(await ids('Location?capacity-update-date=ap0001')).toEqual([]);
    expect(await ids('Location?_lastUpdated=gt9999')).toEqual([]);
    expect(await ids('Location?capacity-update-date=sa9999-12-31')).toEqual([]);
    expect((await ids('Location?_lastUpdated=lt9999&_count=200')).length).toBeGreaterThan(0);
  });

  it('a cursor whose key does not fit the sort is a 400 naming _cursor', async () => {
    const forged = Buffer.from(JSON.stringify({ k: ['abc'], id: 'x' })).toString('base64url');
    for (const sort of ['nb-capacity', '_lastUpdated']) {
      const res = await t.app.inject({ method: 'GET', url: `/fhir/Location?_sort=${sort}&_cursor=${forged}` });
      expect(res.statusCode, sort).toBe(400);
      expect(res.json().issue[0].expression).toEqual(['_cursor']);
    }
  });

  it('capacity criteria correlate on one indicator whether written in _filter, as parameters or both', async () => {
    expect(await ids(`Location?_filter=${enc('capacity-status eq 02')}&nb-capacity=gt0`)).toEqual(sorted(L1));
    expect(await ids(`Location?_filter=${enc('capacity-status eq 02')}&_filter=${enc('nb-capacity gt 0')}`)).toEqual(sorted(L1));
    expect(await ids(`HealthcareService?_filter=${enc('location.capacity-status eq 02')}&location.nb-capacity=gt0`)).toEqual(sorted(hs1));
    // An OR stays a filter of its own.
    expect(await ids(`Location?_filter=${enc('capacity-status eq 03 or capacity-status eq 05')}&gender-capacity-available=02`)).toEqual(sorted(L2));
  });

  it('a reference given as an absolute URL matches on this server\'s base only', async () => {
    const self = (await get(`HealthcareService?organization=${egA1.id}`)).link!.find((l) => l.relation === 'self')!.url;
    const base = self.slice(0, self.indexOf('/HealthcareService'));
    expect(await ids(`HealthcareService?organization=${enc(`${base}/Organization/${egA1.id}`)}`)).toEqual(sorted(hs1));
    expect(await ids(`HealthcareService?organization=${enc(`https://autre.example/fhir/Organization/${egA1.id}`)}`)).toEqual([]);
    expect(await ids(`HealthcareService?organization:above=${enc(`https://autre.example/fhir/Organization/${ejA.id}`)}`)).toEqual([]);
  });

  it('_filter reads an unencoded + of a time-zone offset back, as plain date parameters do', async () => {
    const plain = await ids('HealthcareService?_lastUpdated=ge2022-11-06T15:00+01:00&_count=200');
    expect(plain.length).toBeGreaterThan(0);
    // A literal "+" in a query string is a space once decoded.
    expect(await ids('HealthcareService?_filter=_lastUpdated%20ge%202022-11-06T15:00+01:00&_count=200')).toEqual(plain);
  });
});
