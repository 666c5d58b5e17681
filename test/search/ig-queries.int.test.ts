import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, Resource } from '../../src/fhir/types.ts';
import { communeCentroid, greatCircleKm } from '../../src/search/geo.ts';
import { eg, ej, FINESS, healthcareService, location, practitioner, TRE } from '../fixtures/ror.ts';
import { equipment, indicator, patientType, practitionerRole, price, SYS, task, UCUM } from '../fixtures/search-data.ts';
import { openTestApp, type TestApp } from '../setup/db.ts';

/**
 * The example queries of the IG (specifications_techniques_1/2/3) and of the ROR documentation
 * (ansforge/ROR-fhir-documentation, exemples/*.md), digest §2–§4: each sent as written — the raw URL with only
 * spaces encoded, as curl or a browser sends it, and fully URL-encoded, as a FHIR client library does — on data
 * where some resources match and others (false positives) must not. Placeholders (XX, XXX) are replaced by
 * values of the dataset. Exact result sets, includes included.
 */

let t: TestApp;
const FHIR = { 'content-type': 'application/fhir+json' };
const SD = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/';
const NOS = (t: string) => `https://mos.esante.gouv.fr/NOS/TRE_${t}/FHIR/TRE-${t}`;
const R30 = NOS('R30-RegionOM');
type Saved = Resource & { id: string };

async function post(r: Resource): Promise<Saved> {
  const res = await t.app.inject({ method: 'POST', url: `/fhir/${r.resourceType}`, headers: FHIR, payload: JSON.stringify(r) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Saved;
}

/** The query as a client library sends it: every name and value URL-encoded. */
function encoded(url: string): string {
  const [path, query = ''] = url.split('?');
  const pairs = query.split('&').filter(Boolean).map((kv) => {
    const eq = kv.indexOf('=');
    return eq < 0 ? encodeURIComponent(kv) : `${encodeURIComponent(kv.slice(0, eq))}=${encodeURIComponent(kv.slice(eq + 1))}`;
  });
  return `${path}?${pairs.join('&')}`;
}

/** Runs the query raw (spaces as %20) and encoded; both must give the same bundle. Returns it. */
async function run(url: string): Promise<Bundle> {
  const raw = await t.app.inject({ method: 'GET', url: `/fhir/${url.replace(/ /g, '%20').replace(/"/g, '%22')}` });
  expect(raw.statusCode, `${url}: ${raw.body}`).toBe(200);
  const enc = await t.app.inject({ method: 'GET', url: `/fhir/${encoded(url)}` });
  expect(enc.statusCode, `${encoded(url)}: ${enc.body}`).toBe(200);
  const a = raw.json() as Bundle;
  const b = enc.json() as Bundle;
  expect(keys(b)).toEqual(keys(a));
  expect(b.total).toBe(a.total);
  return a;
}

const keys = (b: Bundle) => (b.entry ?? []).map((e) => `${e.search?.mode}:${e.resource!.resourceType}/${e.resource!.id}`).sort();
const matches = (b: Bundle) => (b.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource!.id!).sort();
const included = (b: Bundle) =>
  (b.entry ?? [])
    .filter((e) => e.search?.mode === 'include')
    .map((e) => `${e.resource!.resourceType}/${e.resource!.id}`)
    .sort();
const ref = (...r: Saved[]) => r.map((x) => `${x.resourceType}/${x.id}`).sort();
const ids = (...r: Saved[]) => r.map((x) => x.id).sort();
const finessOf = (r: Resource) => (r.identifier as { value: string }[])[0]!.value;
const idOf = (r: Resource) => (r.identifier as { value: string }[])[0]!.value;
const cc = (system: string, code: string) => ({ coding: [{ system, code }] });
const created = { url: `${SD}ror-meta-creation-date`, valueDateTime: '2024-01-15T10:00:00+01:00' };
const TAIL =
  '&_include=HealthcareService:organization&_include:iterate=Organization:partof&_include=HealthcareService:location&_revinclude=PractitionerRole:service&_include=PractitionerRole:practitioner';
const NANTES = { latitude: 47.2184, longitude: -1.5536 };

let ej1: Saved, ej2: Saved, eg1: Saved, eg2: Saved, eg3: Saved, oi1: Saved;
let locNantes: Saved, locRennes: Saved, locBrest: Saved, locParis: Saved;
let hs1: Saved, hs2: Saved, hs3: Saved, hs4: Saved, hs5: Saved;
let p1: Saved, pr1: Saved, taskOpen: Saved, taskClosed: Saved;
let start: string;

beforeAll(async () => {
  t = await openTestApp();
  start = new Date(Date.now() - 1000).toISOString();
  ej1 = await post(ej());
  ej2 = await post(ej());
  eg1 = await post(eg(ej1.id, { name: 'Centre hospitalier de Nantes' }));
  eg2 = await post(eg(ej1.id, { name: 'Centre hospitalier de Rennes' }));
  eg3 = await post(eg(ej2.id, { name: 'Clinique de Paris', type: [cc(TRE.R66, '365')] }));
  oi1 = await post(eg(eg1.id, { name: 'Pôle médecine' }));
  const commune = (cog: string) => ({ url: `${SD}ror-commune-cog`, valueCodeableConcept: cc(TRE.R13, cog) });
  const region = (code: string) => ({ profile: [`${SD}ror-location`], tag: [{ system: R30, code }] });
  // Nantes: an available female bed, a closed reactivable bed, a 250 kg table; tagged region 52.
  locNantes = await post(
    location({
      meta: region('52'),
      identifier: [{ type: { coding: [{ code: '26' }] }, value: '11/339772' }],
      name: 'Unité de cardiologie',
      address: { line: ['1 place Alexis Ricordeau'], city: 'Nantes', postalCode: '44000' },
      position: NANTES,
      extension: [
        commune('44109'),
        created,
        indicator({ status: '02', nb: 2, gender: '01' }),
        indicator({ status: '05', nb: 1, gender: '03', closing: '01' }),
        equipment('088', [{ feature: '001', kg: 250 }]),
      ],
    }),
  );
  // Rennes (no position: at its commune's centroid): the false positives of every capacity query.
  locRennes = await post(
    location({
      meta: region('53'),
      identifier: [{ type: { coding: [{ code: '26' }] }, value: '11/347254' }],
      address: { line: ['2 rue Henri Le Guilloux'], city: 'Rennes', postalCode: '35000' },
      extension: [
        commune('35238'),
        created,
        indicator({ status: '02', nb: 0, gender: '01' }),
        indicator({ status: '03', nb: 4, gender: '01' }),
        indicator({ status: '05', nb: 3, gender: '03', closing: '02' }),
        indicator({ status: '05', nb: 0, gender: '02', closing: '01' }),
        equipment('088', [{ feature: '001', kg: 150 }]),
        equipment('089', [{ feature: '001', kg: 300 }]),
      ],
    }),
  );
  locBrest = await post(
    location({
      meta: region('53'),
      identifier: [{ type: { coding: [{ code: '26' }] }, value: '52/192675' }],
      address: { line: ['5 avenue Foch'], city: 'Brest', postalCode: '29200' },
      extension: [commune('29019'), created],
    }),
  );
  locParis = await post(
    location({
      address: { line: ['3 avenue Mozart'], city: 'Paris', postalCode: '75016' },
      extension: [commune('75116'), created],
    }),
  );
  const age = (low: number, high: number) => [created, { url: `${SD}ror-healthcareservice-sensitive-unit`, valueBoolean: false }, patientType(low, high)];
  const R244 = NOS('R244-CategorieOrganisation');
  const R338 = NOS('R338-ModaliteAccueil');
  const R253 = NOS('R253-TypeMaternite');
  const R210 = NOS('R210-ActeSpecifique');
  // The documentation's query writes the acte spécifique `001`; TRE_R210 codes have four digits and JDV_J16
  // (checked on write) has no `001`: `0001` "Ablation par radiofréquence de trouble du rythme et de conduction".
  const ACT = '0001';
  const careMode = cc(TRE.R213, '28');
  hs1 = await post(
    healthcareService(eg1.id, [locNantes.id], {
      meta: { profile: [`${SD}ror-healthcareservice`], tag: [{ system: R30, code: '52' }] },
      name: 'Cardiologie et pédopsychiatrie',
      extension: age(18, 90),
      category: [cc(R244, '50')],
      specialty: [cc(TRE.R211, '227'), cc(TRE.R211, '013')],
      characteristic: [careMode, cc(R338, '01'), cc(R253, '03')],
    }),
  );
  hs2 = await post(
    healthcareService(eg2.id, [locRennes.id], {
      meta: { profile: [`${SD}ror-healthcareservice`], tag: [{ system: R30, code: '52' }] },
      name: 'Allergologie',
      extension: age(0, 17),
      category: [cc(R244, '50')],
      specialty: [cc(TRE.R211, '005'), cc(TRE.R211, '013')],
      characteristic: [careMode, cc(R338, '02')],
    }),
  );
  hs3 = await post(
    healthcareService(oi1.id, [locBrest.id], {
      name: 'Médecine générale',
      extension: age(30, 60),
      category: [cc(R244, '102')],
      specialty: [cc(TRE.R211, '481')],
      characteristic: [careMode, { ...cc(R210, ACT), extension: [{ url: `${SD}ror-act-type`, valueCode: 'specificAct' }] }],
    }),
  );
  hs4 = await post(
    healthcareService(eg3.id, [locParis.id], {
      name: 'Réadaptation locomotrice pédiatrique',
      extension: age(0, 17),
      specialty: [cc(TRE.R211, '233')],
      characteristic: [careMode, cc(R338, '01'), { ...cc(R210, ACT), extension: [{ url: `${SD}ror-act-type`, valueCode: 'specificAct' }] }],
    }),
  );
  hs5 = await post(healthcareService(eg3.id, [locParis.id], { name: 'SMR locomoteur', extension: age(30, 99), specialty: [cc(TRE.R211, '233')] }));
  p1 = await post(practitioner());
  pr1 = await post(practitionerRole(p1.id, hs1.id));
  taskOpen = await post(task(`HealthcareService/${hs1.id}`, '02'));
  taskClosed = await post(task(`HealthcareService/${hs2.id}`, '08'));
});

afterAll(async () => {
  await t?.close();
});

describe('UC1 capacity data (Location), DOC consultation-donnees-capacitaires', () => {
  it('scenario 1: national dump with the offers of each place', async () => {
    const b = await run('Location?_revinclude=HealthcareService:location');
    expect(matches(b)).toEqual(ids(locNantes, locRennes, locBrest, locParis));
    expect(included(b)).toEqual(ref(hs1, hs2, hs3, hs4, hs5));
    expect(b.total).toBe(4);
  });

  it('scenario 1bis: a region by department prefix, as a list and as the DOC _filter value list', async () => {
    const b = await run('Location?address-postalcode=35,22,29,56&_revinclude=HealthcareService:location');
    expect(matches(b)).toEqual(ids(locRennes, locBrest));
    expect(included(b)).toEqual(ref(hs2, hs3));
    const f = await run('Location?_filter=(address-postalcode eq "22" or "29" or "35" or "36")&_revinclude=HealthcareService:location');
    expect(keys(f)).toEqual(keys(b));
    expect((await run('Location?_filter=(address-postalcode eq "22" or "56")'))).toMatchObject({ total: 0 });
  });

  it('scenario 1ter: a source region by _tag (code alone, and system|code)', async () => {
    expect(matches(await run('Location?_tag=52&_revinclude=HealthcareService:location'))).toEqual(ids(locNantes));
    expect(matches(await run(`Location?_tag=${R30}|53`))).toEqual(ids(locRennes, locBrest));
  });

  it('scenarios 2, 3, 5: by identifier, by _id, and their _filter forms', async () => {
    const one = await run('Location?identifier=52/192675&_revinclude=HealthcareService:location');
    expect(keys(one)).toEqual([`match:Location/${locBrest.id}`, `include:HealthcareService/${hs3.id}`].sort());
    expect(matches(await run(`Location?_id=${locNantes.id},${locParis.id}&_revinclude=HealthcareService:location`))).toEqual(ids(locNantes, locParis));
    expect(matches(await run(`Location?_filter=(_id eq ${locNantes.id} or ${locParis.id})&_revinclude=HealthcareService:location`))).toEqual(ids(locNantes, locParis));
    const two = await run('Location?identifier=11/339772,11/347254&_revinclude=HealthcareService:location');
    expect(matches(two)).toEqual(ids(locNantes, locRennes));
    const f = await run('Location?_filter=(identifier eq 11/339772 or 11/347254)&_revinclude=HealthcareService:location');
    expect(keys(f)).toEqual(keys(two));
  });

  it('scenario 4: changed since a date', async () => {
    expect(matches(await run('Location?_lastUpdated=ge2023-08-02&_revinclude=HealthcareService:location'))).toEqual(ids(locNantes, locRennes, locBrest, locParis));
    expect(matches(await run('Location?_lastUpdated=lt2023-08-02'))).toEqual([]);
  });

  it('the places of given offers: _has:HealthcareService:location:identifier', async () => {
    const b = await run(`Location?_has:HealthcareService:location:identifier=${idOf(hs1)},${idOf(hs3)},UE3&_revinclude=HealthcareService:location`);
    expect(matches(b)).toEqual(ids(locNantes, locBrest));
  });
});

describe('UC2 offer extraction (HealthcareService), IG specifications_techniques_2 and DOC consultation-offre-extraction', () => {
  it('full synchronous dump with the include tail', async () => {
    const b = await run(`HealthcareService?${TAIL.slice(1)}`);
    expect(matches(b)).toEqual(ids(hs1, hs2, hs3, hs4, hs5));
    expect(included(b)).toEqual(ref(eg1, eg2, eg3, oi1, ej1, ej2, locNantes, locRennes, locBrest, locParis, pr1, p1));
  });

  it('one establishment: organization:above.identifier and the DOC spelling organization.identifier:above', async () => {
    const a = await run(`HealthcareService?organization:above.identifier=${finessOf(ej1)}${TAIL}`);
    expect(matches(a)).toEqual(ids(hs1, hs2, hs3));
    const b = await run(`HealthcareService?organization.identifier:above=${finessOf(ej1)}${TAIL}`);
    expect(keys(b)).toEqual(keys(a));
    expect(matches(await run(`HealthcareService?organization.identifier:above=${FINESS}|${finessOf(eg3)}`))).toEqual(ids(hs4, hs5));
  });

  it('one offer by identifier, with exactly its tail (organisation and parents, place, roles, practitioners) and its anomalies', async () => {
    const b = await run(`HealthcareService?identifier=${idOf(hs1)}${TAIL}`);
    expect(keys(b)).toEqual(
      [`match:HealthcareService/${hs1.id}`, ...ref(eg1, ej1, locNantes, pr1, p1).map((x) => `include:${x}`)].sort(),
    );
    const withTasks = await run(`HealthcareService?identifier=${idOf(hs1)}${TAIL}&_revinclude=Task:focus`);
    expect(included(withTasks)).toEqual(ref(eg1, ej1, locNantes, pr1, p1, taskOpen));
  });

  it('incremental: _lastUpdated, organization._lastUpdated:above with organization.type, and the _filter OR', async () => {
    expect(matches(await run(`HealthcareService?_lastUpdated=ge2022-11-06T15:00${TAIL}`))).toEqual(ids(hs1, hs2, hs3, hs4, hs5));
    // The query's instant is written to the second (as the documentation does), i.e. up to 999 ms before
    // `since`: wait more than a second so that no write of the setup falls after it.
    await new Promise((r) => setTimeout(r, 1100));
    const since = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    const cur = (await run(`Organization?_id=${ej1.id}`)).entry![0]!.resource as Saved;
    const res = await t.app.inject({ method: 'PUT', url: `/fhir/Organization/${ej1.id}`, headers: FHIR, payload: JSON.stringify({ ...cur, name: 'EJ renommée' }) });
    expect(res.statusCode).toBe(200);
    const T = since.replace(/\.\d+Z$/, 'Z');
    // EG1, EG2 and OI1 (type 355) are below the EJ that changed; EG3 (type 365) is below an unchanged EJ.
    expect(matches(await run(`HealthcareService?organization._lastUpdated:above=ge${T}&organization.type=${TRE.R66}|355${TAIL}`))).toEqual(ids(hs1, hs2, hs3));
    expect(matches(await run(`HealthcareService?organization._lastUpdated:above=ge${T}&organization.type=${TRE.R66}|365`))).toEqual([]);
    expect(matches(await run(`HealthcareService?organization.type=${TRE.R66}|365`))).toEqual(ids(hs4, hs5));
    expect(matches(await run(`HealthcareService?organization._lastUpdated:above=ge${T}`))).toEqual(ids(hs1, hs2, hs3));
    const f = await run(`HealthcareService?_filter=(_lastUpdated ge ${T} or organization._lastUpdated:above ge ${T})${TAIL}`);
    expect(matches(f)).toEqual(ids(hs1, hs2, hs3));
    expect(included(f)).toEqual(ref(eg1, eg2, oi1, ej1, locNantes, locRennes, locBrest, pr1, p1));
    expect(matches(await run(`HealthcareService?_filter=(_lastUpdated ge ${T} or organization._lastUpdated ge ${T})`))).toEqual([]);
  });

  it('partial extraction by region with _elements=identifier', async () => {
    const b = await run(`HealthcareService?_tag=${R30}|52&_elements=identifier&_include=HealthcareService:organization&_include:iterate=Organization:partof`);
    expect(matches(b)).toEqual(ids(hs1, hs2));
    const m = b.entry!.filter((e) => e.search?.mode === 'match').map((e) => e.resource!);
    for (const r of m) {
      expect(Object.keys(r).sort()).toEqual(['id', 'identifier', 'meta', 'resourceType']);
      expect((r.meta as { tag: { code: string }[] }).tag.map((x) => x.code)).toContain('SUBSETTED');
    }
    // Included resources are whole.
    expect(included(b)).toEqual(ref(eg1, eg2, ej1));
    expect(b.entry!.find((e) => e.resource!.id === eg1.id)!.resource!.name).toBe('Centre hospitalier de Nantes');
  });
});

describe('UC3 main criteria, IG specifications_techniques_3', () => {
  it('scenario 1: one operational activity, with the include tail', async () => {
    const b = await run(`HealthcareService?specialty=${TRE.R211}|227${TAIL}`);
    expect(matches(b)).toEqual(ids(hs1));
    expect(included(b)).toEqual(ref(eg1, ej1, locNantes, pr1, p1));
    expect(b.total).toBe(1);
  });

  it('scenario 2: a list of activities (OR), as written with the IG typo __include', async () => {
    const b = await run(`HealthcareService?specialty=${TRE.R211}|005,481&__include=HealthcareService:organization&_include:iterate=Organization:partof&_include=HealthcareService:location&_revinclude=PractitionerRole:service&_include=PractitionerRole:practitioner`);
    expect(matches(b)).toEqual(ids(hs2, hs3));
    expect(included(b)).toEqual(ref(eg2, oi1, eg1, ej1, locRennes, locBrest));
    const note = b.entry!.find((e) => e.search?.mode === 'outcome')!.resource as unknown as { issue: { severity: string; expression: string[] }[] };
    expect(note.issue[0]).toMatchObject({ severity: 'warning', expression: ['__include'] });
  });

  it('scenario 3: category AND reception modality', async () => {
    const b = await run(`HealthcareService?service-category=${NOS('R244-CategorieOrganisation')}|50&characteristic=${NOS('R338-ModaliteAccueil')}|01${TAIL}`);
    expect(matches(b)).toEqual(ids(hs1));
  });

  it('scenario 4: (category OR activity) AND age 35 in _filter', async () => {
    const q = `HealthcareService?_filter=(((service-category eq ${NOS('R244-CategorieOrganisation')}|102) or (specialty eq ${TRE.R211}|233)) and (age-range-low le 35 and age-range-high ge 35))${TAIL}`;
    expect(matches(await run(q))).toEqual(ids(hs3, hs5));
    expect(matches(await run(q.replace(/ 35/g, ' 10')))).toEqual(ids(hs4));
  });

  it('scenario 5: (organization.type OR category) in _filter AND a specific act', async () => {
    const q = `HealthcareService?_filter=((organization.type eq ${TRE.R66}|355) or (service-category eq ${NOS('R244-CategorieOrganisation')}|102))&characteristic=${NOS('R210-ActeSpecifique')}|0001${TAIL}`;
    expect(matches(await run(q))).toEqual(ids(hs3));
    expect(matches(await run(q.replace('|102', '|999').replace('|355', '|365')))).toEqual(ids(hs4));
  });

  it('scenario 6: near a commune (near-insee-code chained), distance on the included places', async () => {
    const b = await run(`HealthcareService?specialty=${TRE.R211}|013&location.near-insee-code=44162|15|km${TAIL}`);
    expect(matches(b)).toEqual(ids(hs1));
    const place = b.entry!.find((e) => e.resource!.id === locNantes.id)!;
    expect(place.search!.mode).toBe('include');
    const km = (place.search!.extension as { url: string; valueDistance: { value: number; unit: string } }[])[0]!;
    expect(km.url).toBe('http://hl7.org/fhir/StructureDefinition/location-distance');
    expect(km.valueDistance.unit).toBe('km');
    expect(km.valueDistance.value).toBeCloseTo(greatCircleKm(communeCentroid('44162')!, { lat: NANTES.latitude, lon: NANTES.longitude }), 2);
    // Rennes is ≈ 100 km away: in at 120 km, out at 15.
    expect(matches(await run(`HealthcareService?specialty=${TRE.R211}|013&location.near-insee-code=44162|120|km`))).toEqual(ids(hs1, hs2));
  });

  it('scenarios 8–10: department prefix, postal codes, commune code', async () => {
    expect(matches(await run(`HealthcareService?location.address-postalcode=44${TAIL}`))).toEqual(ids(hs1));
    expect(matches(await run(`HealthcareService?location.address-postalcode=44000,75016${TAIL}`))).toEqual(ids(hs1, hs4, hs5));
    expect(matches(await run(`HealthcareService?location.commune-cog=${TRE.R13}|44109${TAIL}`))).toEqual(ids(hs1));
    expect(matches(await run(`HealthcareService?location.commune-cog=${TRE.R13}|44162`))).toEqual([]);
  });

  it('scenario 11: two characteristic parameters (AND)', async () => {
    const q = `HealthcareService?characteristic=${NOS('R338-ModaliteAccueil')}|01&characteristic=${NOS('R253-TypeMaternite')}|03${TAIL}`;
    expect(matches(await run(q))).toEqual(ids(hs1));
  });

  it('scenario 12: anomalies of a region with status 2 or 10, with _revinclude=Task:focus', async () => {
    const b = await run(`HealthcareService?_tag=${R30}|52&_has:Task:focus:business-status=${NOS('R352-StatutMetierAnomalie')}|02,10${TAIL}&_revinclude=Task:focus`);
    expect(matches(b)).toEqual(ids(hs1));
    expect(included(b)).toContain(`Task/${taskOpen.id}`);
    expect(included(b)).not.toContain(`Task/${taskClosed.id}`);
  });

  it('scenario 13: offers of a practitioner (_has then chain) and the prod CS practitioner.identifier', async () => {
    const pid = idOf(p1);
    expect(matches(await run(`HealthcareService?_has:PractitionerRole:service:practitioner.identifier=${pid}${TAIL}`))).toEqual(ids(hs1));
    expect(matches(await run(`HealthcareService?practitioner.identifier=${pid}`))).toEqual(ids(hs1));
    expect(matches(await run('HealthcareService?practitioner.identifier=810000000000'))).toEqual([]);
  });
});

describe('UC4 capacity criteria, DOC recherche-donnees-capacitaires (correlated on one indicator)', () => {
  it('scenario 1: available female bed', async () => {
    const q =
      `HealthcareService?specialty=${TRE.R211}|013&location.capacity-type=${NOS('R329-NatureCapacite')}|01&location.gender-capacity-available=${NOS('R332-GenreCapacite')}|01` +
      `&location.temporality-capacity=${NOS('R331-TemporaliteCapacite')}|01&location.capacity-status=${NOS('R330-TypeStatutCapacite')}|02&location.nb-capacity=gt0&_include=HealthcareService:location`;
    const b = await run(q);
    expect(keys(b)).toEqual([`match:HealthcareService/${hs1.id}`, `include:Location/${locNantes.id}`].sort());
  });

  it('scenario 2: closed reactivable bed', async () => {
    const q =
      `HealthcareService?specialty=${TRE.R211}|013&location.capacity-type=${NOS('R329-NatureCapacite')}|01&location.capacity-closing-type=${NOS('R333-TypeFermetureCapacite')}|01` +
      `&location.capacity-status=${NOS('R330-TypeStatutCapacite')}|05&location.nb-capacity=gt0&_include=HealthcareService:location`;
    expect(keys(await run(q))).toEqual([`match:HealthcareService/${hs1.id}`, `include:Location/${locNantes.id}`].sort());
  });

  it('scenario 3: equipment type, feature and limit ≥ 200 kg on the same equipment', async () => {
    const q =
      `HealthcareService?specialty=${TRE.R211}|013&location.equipment-type=${NOS('R212-Equipement')}|088&location.equipment-feature=${NOS('R340-TypeCaracteristiqueEquipement')}|001` +
      `&location.limit-value=ge200|${UCUM}|kg&_include=HealthcareService:location`;
    expect(keys(await run(q))).toEqual([`match:HealthcareService/${hs1.id}`, `include:Location/${locNantes.id}`].sort());
  });
});

describe('UC5 prices and UC6 full text, DOC recherche-informations-tarifaires / recherche-full-text', () => {
  let ehpad: Saved, offer: Saved, other: Saved, offer2: Saved, placeE: Saved;
  beforeAll(async () => {
    placeE = await post(location({ extension: [{ url: `${SD}ror-commune-cog`, valueCodeableConcept: cc(TRE.R13, '78646') }, created] }));
    ehpad = await post(eg(ej2.id, { name: 'EHPAD Les Tilleuls', extension: [created, price({ type: '02', amount: 50, residential: '03', special: '03', start: '2024-01-01T00:00:00Z' })] }));
    other = await post(eg(ej2.id, { name: 'EHPAD Les Chênes', extension: [created, price({ type: '02', amount: 45, start: '2025-01-01T00:00:00Z' }), price({ type: '03', amount: 90, residential: '03' })] }));
    offer = await post(healthcareService(ehpad.id, [placeE.id], { name: 'Hébergement permanent' }));
    offer2 = await post(healthcareService(other.id, [], { name: 'Hébergement temporaire' }));
  });

  it('scenario 1: price type and amount, chained sort, _include with the DOC spelling Healthcareservice', async () => {
    const b = await run(`HealthcareService?organization.price-type=${SYS.R246}|02&organization.price-amount-value=lt60&_sort=-organization.price-validity-start-date&_include=Healthcareservice:location`);
    expect(b.entry!.filter((e) => e.search?.mode === 'match').map((e) => e.resource!.id)).toEqual([offer2.id, offer.id]);
    expect(included(b)).toEqual(ref(placeE));
  });

  it('scenario 2: type, amount, residential type and special price on the same tariff', async () => {
    const q = `HealthcareService?organization.price-type=${SYS.R246}|02&organization.price-amount-value=le60&organization.price-residential-type=${NOS('R242-TypeHabitation')}|03&organization.special-price=${SYS.R250}|03&_include=Healthcareservice:location`;
    expect(matches(await run(q))).toEqual(ids(offer));
    // EHPAD Les Chênes has a type-02 tariff under 60 and a residential-03 tariff, but not one tariff with both.
    expect(matches(await run(`HealthcareService?organization.price-type=${SYS.R246}|02&organization.price-residential-type=${NOS('R242-TypeHabitation')}|03`))).toEqual(ids(offer));
  });

  it('full text: _content and the _filter OR over the offer and its places', async () => {
    expect(matches(await run(`HealthcareService?_content=cardio${TAIL}`))).toEqual(ids(hs1));
    expect(matches(await run(`HealthcareService?_filter=(_content=cardio or location._content=cardio)${TAIL}`))).toEqual(ids(hs1));
    // « Unité de cardiologie » is the name of hs1's place only.
    expect(matches(await run('HealthcareService?_filter=(_content=cardiologie or location._content=cardiologie)'))).toEqual(ids(hs1));
    expect(matches(await run('HealthcareService?_filter=(_content=hebergement or location._content=hebergement)'))).toEqual(ids(offer, offer2));
  });
});

describe('UC11 anomalies (Task), DOC consultation-anomalie', () => {
  it('Task?focus:HealthcareService.identifier, and every Task', async () => {
    expect(matches(await run(`Task?focus:HealthcareService.identifier=${idOf(hs1)}`))).toEqual(ids(taskOpen));
    expect(matches(await run('Task'))).toEqual(ids(taskOpen, taskClosed));
    expect(matches(await run(`Task?_id=${taskOpen.id}`))).toEqual(ids(taskOpen));
  });
});

describe('_format and the time-zone offset of a date sent unencoded', () => {
  it('_format=json and application/fhir+json are served, xml is 406', async () => {
    expect(matches(await run(`HealthcareService?specialty=227&_format=json`))).toEqual(ids(hs1));
    expect(matches(await run(`HealthcareService?specialty=227&_format=application/fhir+json`))).toEqual(ids(hs1));
    const res = await t.app.inject({ method: 'GET', url: '/fhir/HealthcareService?specialty=227&_format=xml' });
    expect(res.statusCode).toBe(406);
    expect(res.json().issue[0].expression).toEqual(['_format']);
  });

  it('_lastUpdated=ge2022-11-06T15:00+01:00 with the + unencoded (read as a space)', async () => {
    const raw = await t.app.inject({ method: 'GET', url: '/fhir/HealthcareService?specialty=227&_lastUpdated=ge2022-11-06T15:00+01:00' });
    expect(raw.statusCode, raw.body).toBe(200);
    expect(matches(raw.json() as Bundle)).toEqual(ids(hs1));
    const later = start.replace(/\.\d+Z$/, '').replace(/^(\d{4})/, (y) => String(Number(y) + 1));
    const none = await t.app.inject({ method: 'GET', url: `/fhir/HealthcareService?specialty=227&_lastUpdated=ge${later}+01:00` });
    expect(none.statusCode, none.body).toBe(200);
    expect(matches(none.json() as Bundle)).toEqual([]);
  });
});
