/** Minimal structural types for FHIR R4 JSON as this server handles it. */

export interface Meta {
  versionId?: string;
  lastUpdated?: string;
  profile?: string[];
  tag?: Coding[];
  security?: Coding[];
  source?: string;
  [key: string]: unknown;
}

export interface Coding {
  system?: string;
  version?: string;
  code?: string;
  display?: string;
  userSelected?: boolean;
}

export interface Resource {
  resourceType: string;
  id?: string;
  meta?: Meta;
  [key: string]: unknown;
}

export interface BundleEntry {
  fullUrl?: string;
  resource?: Resource;
  search?: { mode?: 'match' | 'include' | 'outcome'; score?: number; extension?: unknown[] };
  request?: { method: string; url: string; ifMatch?: string; ifNoneExist?: string; ifNoneMatch?: string; ifModifiedSince?: string };
  response?: { status: string; etag?: string; lastModified?: string; location?: string; outcome?: Resource | { resourceType: 'OperationOutcome'; issue: unknown[] } };
}

export interface Bundle extends Resource {
  resourceType: 'Bundle';
  type: 'searchset' | 'history' | 'collection' | 'batch-response' | 'transaction-response';
  total?: number;
  link?: { relation: string; url: string }[];
  entry?: BundleEntry[];
}

/** The resource types this server stores, each with the ROR IG profile it conforms to. */
export const ROR_PROFILE_BASE = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/';
export const RESOURCE_PROFILES = {
  Organization: `${ROR_PROFILE_BASE}ror-organization`,
  HealthcareService: `${ROR_PROFILE_BASE}ror-healthcareservice`,
  Location: `${ROR_PROFILE_BASE}ror-location`,
  Practitioner: `${ROR_PROFILE_BASE}ror-practitioner`,
  PractitionerRole: `${ROR_PROFILE_BASE}ror-practitionerrole`,
  Task: `${ROR_PROFILE_BASE}ror-task`,
} as const;

export type ResourceType = keyof typeof RESOURCE_PROFILES;
export const RESOURCE_TYPES = Object.keys(RESOURCE_PROFILES) as ResourceType[];

export function isResourceType(t: string): t is ResourceType {
  return Object.prototype.hasOwnProperty.call(RESOURCE_PROFILES, t);
}

/** FHIR id datatype: [A-Za-z0-9\-\.]{1,64}. */
export const ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;
