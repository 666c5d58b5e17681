import { RESOURCE_PROFILES, RESOURCE_TYPES, type Resource } from './types.ts';

export interface CapabilityInput {
  baseUrl: string;
  version: string;
  searchParams: (type: string) => { name: string; type: string; definition?: string; documentation?: string }[];
  searchIncludes?: (type: string) => string[];
  searchRevIncludes?: (type: string) => string[];
  /** Result parameters accepted on every search (rest.searchParam); defaults to _count only. */
  systemSearchParams?: { name: string; type: string; documentation?: string }[];
  operations?: { name: string; definition: string; documentation?: string }[];
  typeOperations?: Record<string, { name: string; definition: string }[]>;
  /** Types served only through operations (CodeSystem/$lookup, ValueSet/$expand…): no REST interaction. */
  operationResources?: Record<string, { name: string; definition: string; documentation?: string }[]>;
}

const INTERACTIONS = ['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'create', 'search-type'];

/** The CapabilityStatement of this server: generated from what is actually wired, nothing more. */
export function capabilityStatement(input: CapabilityInput): Resource {
  // Bulk Data export wired (src/export/): the CS says so as the IG's ror-serveur does (instantiates, NDJSON).
  const bulk = (input.operations ?? []).some((o) => o.name === 'export');
  return {
    resourceType: 'CapabilityStatement',
    id: 'ror-server',
    url: `${input.baseUrl}/metadata`,
    version: input.version,
    name: 'RORServer',
    title: 'Répertoire de l\'Offre et des Ressources en santé — serveur FHIR',
    status: 'active',
    experimental: false,
    date: '2026-11-23',
    publisher: 'ROR open source',
    kind: 'instance',
    instantiates: ['https://interop.esante.gouv.fr/ig/fhir/ror/CapabilityStatement/ror-serveur', ...(bulk ? ['http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data|2.0.0'] : [])],
    software: { name: 'ror', version: input.version },
    implementation: { description: 'Serveur FHIR R4 du ROR (PGlite ou PostgreSQL)', url: input.baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json', ...(bulk ? ['application/fhir+ndjson'] : [])],
    patchFormat: ['application/fhir+json', 'application/json-patch+json'],
    implementationGuide: ['https://interop.esante.gouv.fr/ig/fhir/ror', ...(bulk ? ['http://hl7.org/fhir/uv/bulkdata/ImplementationGuide/hl7.fhir.uv.bulkdata|2.0.0'] : [])],
    rest: [
      {
        mode: 'server',
        documentation:
          'Toutes les erreurs sont des OperationOutcome. Mises à jour concurrentes : If-Match avec l\'ETag (W/"versionId") ; une version périmée donne 412. ' +
          'Synchronisation incrémentale : GET [type]/_history?_since=… renvoie créations, mises à jour et suppressions (request.method = DELETE) ; ' +
          'repartir de Bundle.meta.lastUpdated.',
        resource: [
          ...RESOURCE_TYPES.map((type) => {
          const includes = input.searchIncludes?.(type) ?? [];
          const revIncludes = input.searchRevIncludes?.(type) ?? [];
          return {
            type,
            profile: RESOURCE_PROFILES[type],
            interaction: INTERACTIONS.map((code) => ({ code })),
            versioning: 'versioned-update',
            readHistory: true,
            updateCreate: true,
            conditionalCreate: true,
            conditionalRead: 'full-support',
            conditionalUpdate: true,
            conditionalDelete: 'single',
            ...(includes.length ? { searchInclude: includes } : {}),
            ...(revIncludes.length ? { searchRevInclude: revIncludes } : {}),
            searchParam: input.searchParams(type).map((p) => ({
              name: p.name,
              type: p.type,
              ...(p.definition ? { definition: p.definition } : {}),
              ...(p.documentation ? { documentation: p.documentation } : {}),
            })),
            ...(input.typeOperations?.[type]?.length ? { operation: input.typeOperations[type] } : {}),
          };
        }),
          ...Object.entries(input.operationResources ?? {}).map(([type, operation]) => ({ type, operation })),
        ],
        interaction: [{ code: 'transaction' }, { code: 'batch' }, { code: 'history-system' }],
        searchParam: input.systemSearchParams ?? [{ name: '_count', type: 'number', documentation: 'Taille de page, 200 par défaut et au plus' }],
        ...(input.operations?.length ? { operation: input.operations } : {}),
      },
    ],
  };
}
