/**
 * The search parameters this server supports: the standard FHIR R4 parameters the ROR server
 * CapabilityStatement relies on, and the 36 SearchParameters of the ROR IG 0.7.0, each with the FHIRPath
 * expression it is indexed with. Where the IG's expression is defective, `expression` is the corrected one
 * and `igExpression` + `deviation` record what the IG says and why we differ (docs/search-deviations.md).
 *
 * Parameters in a `group` are correlated: they are indexed per instance of the group's context (one
 * supported-capacity extension = one indicator, one equipment, one price) and criteria on the same group in
 * one query must all hold on the same instance.
 */

export type SearchParamType = 'token' | 'string' | 'date' | 'number' | 'quantity' | 'reference' | 'special' | 'uri' | 'composite';

export interface SearchGroup {
  /** Stable name stored in the index (`sp_group.grp_code`). */
  code: string;
  /** FHIRPath selecting the instances, evaluated on the resource. */
  context: string;
}

export interface SearchParamDef {
  /** The parameter name clients use (the IG's code, or the CS name where they differ). */
  code: string;
  base: string;
  type: SearchParamType;
  /** Canonical URL of the SearchParameter definition. */
  url: string;
  /**
   * FHIRPath evaluated to index the parameter; relative to the group instance (an Extension) when `group` is
   * set, otherwise on the resource. Absent for parameters served from the resource table (_id, _lastUpdated).
   */
  expression?: string;
  group?: SearchGroup;
  /** Reference parameters: the resource types the reference may point to. */
  targets?: string[];
  /** A chain prefix standing for another one (`practitioner.x` on HealthcareService = `_has:PractitionerRole:service:practitioner.x`). */
  aliasOf?: string;
  /** Index rows shared with another parameter (near-insee-code reads the positions indexed for near). */
  indexedAs?: string;
  /**
   * A token parameter over the codes of one code system only, read on the rows of `indexedAs`
   * (`specific-competence` = the TRE_R243 codings of `characteristic`): a code without a system is of it.
   */
  fixedSystem?: string;
  /** The IG's expression, when it differs from `expression`. */
  igExpression?: string;
  deviation?: string;
  documentation?: string;
  /** Accepted in searches but not listed in the CapabilityStatement (an alias, or a parameter the IG's own
   * CapabilityStatement leaves out and whose data the profile does not allow). */
  unlisted?: boolean;
}

export const SD = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/';
const IG_SP = 'https://interop.esante.gouv.fr/ig/fhir/ror/SearchParameter/';
const CORE_SP = 'http://hl7.org/fhir/SearchParameter/';

const ext = (name: string) => `extension.where(url='${SD}${name}')`;
const sub = (name: string) => `extension.where(url='${name}').value`;

export const CAPACITY: SearchGroup = { code: 'capacity', context: `Location.${ext('ror-location-supported-capacity')}` };
export const EQUIPMENT: SearchGroup = { code: 'equipment', context: `Location.${ext('ror-location-equipment')}` };
export const RESIDENTIAL: SearchGroup = { code: 'residential', context: `Location.${ext('ror-location-residential-capacity')}` };
export const PRICE: SearchGroup = { code: 'price', context: `Organization.${ext('ror-organization-price')}` };

const AS_CODE_DEVIATION =
  "L'expression de l'IG applique .as(code) à une sous-extension de type CodeableConcept et ne trouve rien ; indexé comme token CodeableConcept (system|code).";

function capacityToken(code: string, id: string, subUrl: string, corrected = true): SearchParamDef {
  const igExpression = `Location.${ext('ror-location-supported-capacity')}.${sub(subUrl)}.as(${corrected ? 'code' : 'CodeableConcept'})`;
  return {
    code,
    base: 'Location',
    type: 'token',
    url: IG_SP + id,
    expression: sub(subUrl),
    group: CAPACITY,
    ...(corrected ? { igExpression, deviation: AS_CODE_DEVIATION } : {}),
  };
}

function priceParam(code: string, id: string, type: SearchParamType, subUrl: string): SearchParamDef {
  return { code, base: 'Organization', type, url: IG_SP + id, expression: sub(subUrl), group: PRICE };
}

/** Texts searched by `_content` (full text, accent- and case-insensitive substring): names and descriptions. */
const CONTENT: Record<string, string> = {
  Location: 'Location.name | Location.alias | Location.description',
  HealthcareService: 'HealthcareService.name | HealthcareService.comment | HealthcareService.extraDetails',
  Organization: 'Organization.name | Organization.alias',
  Practitioner: 'Practitioner.name.family | Practitioner.name.given',
  PractitionerRole: "PractitionerRole.extension.where(url='" + SD + "ror-practitionerrole-name').extension.value.ofType(string)",
  Task: 'Task.description',
};

const common = (base: string): SearchParamDef[] => [
  { code: '_id', base, type: 'token', url: `${CORE_SP}Resource-id` },
  { code: '_lastUpdated', base, type: 'date', url: `${CORE_SP}Resource-lastUpdated` },
  { code: '_tag', base, type: 'token', url: `${CORE_SP}Resource-tag`, expression: `${base}.meta.tag` },
  {
    code: '_content',
    base,
    type: 'string',
    url: `${CORE_SP}Resource-content`,
    expression: CONTENT[base]!,
    documentation: 'Recherche plein texte (sous-chaîne, sans accents ni casse) dans les noms et descriptions',
  },
  {
    code: '_has',
    base,
    type: 'special',
    url: 'http://hl7.org/fhir/R4/search.html#has',
    documentation: 'Chaînage inverse _has:Type:référence:critère, imbricable et suivi de chaînages avant (ex. _has:PractitionerRole:service:practitioner.identifier=…)',
  },
  {
    code: '_filter',
    base,
    type: 'special',
    url: 'http://hl7.org/fhir/SearchParameter/Resource-filter',
    documentation: 'Expressions param op valeur (eq ne co sw gt lt ge le sa eb ap pr) combinées par and, or, not(…) et parenthèses ; chaînages acceptés',
  },
];

export const SEARCH_PARAMETERS: readonly SearchParamDef[] = [
  // ---- Location
  ...common('Location'),
  { code: 'identifier', base: 'Location', type: 'token', url: `${CORE_SP}Location-identifier`, expression: 'Location.identifier' },
  { code: 'type', base: 'Location', type: 'token', url: `${CORE_SP}Location-type`, expression: 'Location.type' },
  { code: 'status', base: 'Location', type: 'token', url: `${CORE_SP}Location-status`, expression: 'Location.status' },
  { code: 'operational-status', base: 'Location', type: 'token', url: `${CORE_SP}Location-operational-status`, expression: 'Location.operationalStatus' },
  { code: 'name', base: 'Location', type: 'string', url: `${CORE_SP}Location-name`, expression: 'Location.name | Location.alias' },
  { code: 'address-postalcode', base: 'Location', type: 'string', url: `${CORE_SP}Location-address-postalcode`, expression: 'Location.address.postalCode' },
  { code: 'address-city', base: 'Location', type: 'string', url: `${CORE_SP}Location-address-city`, expression: 'Location.address.city' },
  { code: 'organization', base: 'Location', type: 'reference', url: `${CORE_SP}Location-organization`, expression: 'Location.managingOrganization', targets: ['Organization'] },
  { code: 'partof', base: 'Location', type: 'reference', url: `${CORE_SP}Location-partof`, expression: 'Location.partOf', targets: ['Location'] },
  capacityToken('additional-bed-type', 'ror-sp-additional-bed-type', 'additionalBedType'),
  capacityToken('capacity-closing-type', 'ror-sp-capacity-closing-type', 'capacityClosingType'),
  capacityToken('capacity-status', 'ror-sp-capacity-status', 'capacityStatus'),
  capacityToken('capacity-type', 'ror-sp-capacity-type', 'capacityType'),
  capacityToken('crisis-type', 'ror-sp-crisis-type', 'crisisType'),
  capacityToken('gender-capacity-available', 'ror-sp-gender-capacity-available', 'genderCapacityAvailable'),
  capacityToken('temporality-capacity', 'ror-sp-temporality-capacity', 'temporalityCapacity'),
  capacityToken('temporary-assignement', 'ror-sp-temporary-assignement', 'temporaryAssignement', false),
  { code: 'capacity-update-date', base: 'Location', type: 'date', url: `${IG_SP}ror-sp-capacity-update-date`, expression: sub('capacityUpdateDate'), group: CAPACITY },
  { code: 'nb-capacity', base: 'Location', type: 'number', url: `${IG_SP}ror-sp-nb-capacity`, expression: sub('nbCapacity'), group: CAPACITY },
  { code: 'equipment-type', base: 'Location', type: 'token', url: `${IG_SP}ror-sp-equipment-type`, expression: sub('equipmentType'), group: EQUIPMENT },
  {
    code: 'equipment-feature',
    base: 'Location',
    type: 'token',
    url: `${IG_SP}ror-sp-equipment-feature`,
    expression: `${ext('ror-location-equipment-limit')}.${sub('equipmentFeature')}`,
    group: EQUIPMENT,
    igExpression: `Location.${ext('ror-location-equipment-limit')}.${sub('equipmentFeature')}.as(CodeableConcept)`,
    deviation: "L'extension ror-location-equipment-limit est imbriquée dans ror-location-equipment, pas au niveau de Location.extension ; indexé au bon niveau, corrélé à l'équipement.",
  },
  {
    code: 'limit-value',
    base: 'Location',
    type: 'quantity',
    url: `${IG_SP}ror-sp-limit-value`,
    expression: `${ext('ror-location-equipment-limit')}.${sub('limitValue')}`,
    group: EQUIPMENT,
    igExpression: `Location.${ext('ror-location-equipment-limit')}.${sub('limitValue')}.as(Quantity)`,
    deviation: "Même défaut que equipment-feature : la limite est lue dans l'extension d'équipement, corrélée à son type.",
  },
  { code: 'residential-type', base: 'Location', type: 'token', url: `${IG_SP}ror-sp-residential-type`, expression: sub('residentialType'), group: RESIDENTIAL },
  { code: 'residential-number', base: 'Location', type: 'number', url: `${IG_SP}ror-sp-residential-number`, expression: sub('residentialNumber'), group: RESIDENTIAL },
  {
    code: 'near',
    base: 'Location',
    type: 'special',
    url: `${CORE_SP}Location-near`,
    expression: 'Location.position',
    documentation: "lat|lon|distance|unité (km ou m, 10 km par défaut) ; distance orthodromique ; un lieu sans position est placé au centroïde de sa commune (ror-commune-cog). Tri possible par _sort=near, distance renvoyée dans Bundle.entry.search.extension (location-distance).",
  },
  {
    code: 'near-insee-code',
    base: 'Location',
    type: 'special',
    url: `${IG_SP}ror-sp-location-near-insee-code`,
    indexedAs: 'near',
    igExpression: "Location.address.extension.where(url='https://interop.esante.gouv.fr/ig/fhir/ror/structuredefinition/datatype/fr-address-insee-code').value.as(code)",
    deviation:
      "L'expression de l'IG vise une extension d'adresse inexistante. Sens retenu : COG|distance|unité, lieux à moins de cette distance du centroïde de la commune (données La Poste, data/geo) — mêmes positions que near.",
  },
  { code: 'commune-cog', base: 'Location', type: 'token', url: `${IG_SP}ror-sp-location-commune-cog`, expression: `Location.${ext('ror-commune-cog')}.value` },

  // ---- HealthcareService
  ...common('HealthcareService'),
  { code: 'identifier', base: 'HealthcareService', type: 'token', url: `${CORE_SP}HealthcareService-identifier`, expression: 'HealthcareService.identifier' },
  { code: 'name', base: 'HealthcareService', type: 'string', url: `${CORE_SP}HealthcareService-name`, expression: 'HealthcareService.name' },
  { code: 'active', base: 'HealthcareService', type: 'token', url: `${CORE_SP}HealthcareService-active`, expression: 'HealthcareService.active' },
  { code: 'service-category', base: 'HealthcareService', type: 'token', url: `${CORE_SP}HealthcareService-service-category`, expression: 'HealthcareService.category' },
  { code: 'service-type', base: 'HealthcareService', type: 'token', url: `${CORE_SP}HealthcareService-service-type`, expression: 'HealthcareService.type' },
  { code: 'characteristic', base: 'HealthcareService', type: 'token', url: `${CORE_SP}HealthcareService-characteristic`, expression: 'HealthcareService.characteristic' },
  { code: 'specialty', base: 'HealthcareService', type: 'token', url: `${CORE_SP}HealthcareService-specialty`, expression: 'HealthcareService.specialty' },
  {
    // The national server's production CapabilityStatement (ROR 3.2) lists it; 0.7.0 moved the competence to a
    // characteristic slice (specificCompetence, JDV_J33 → TRE_R243), which is where it is read.
    code: 'specific-competence',
    base: 'HealthcareService',
    type: 'token',
    url: 'https://interop.esante.gouv.fr/ig/fhir/ror/CapabilityStatement/ror-serveur-prod#HealthcareService-specific-competence',
    indexedAs: 'characteristic',
    fixedSystem: 'https://mos.esante.gouv.fr/NOS/TRE_R243-CompetenceSpecifique/FHIR/TRE-R243-CompetenceSpecifique',
    documentation:
      "Paramètre du serveur national de production (ROR 3.2). Compétence spécifique (JDV_J33, codes TRE_R243) : les codages TRE_R243 de characteristic (tranche specificCompetence de l'IG 0.7.0) ; un code sans système est un code TRE_R243.",
  },
  { code: 'location', base: 'HealthcareService', type: 'reference', url: `${CORE_SP}HealthcareService-location`, expression: 'HealthcareService.location', targets: ['Location'] },
  {
    code: 'practitioner',
    base: 'HealthcareService',
    type: 'special',
    url: 'https://interop.esante.gouv.fr/ig/fhir/ror/CapabilityStatement/ror-serveur-prod#HealthcareService-practitioner',
    aliasOf: '_has:PractitionerRole:service:practitioner',
    documentation:
      'Chaînage practitioner.<paramètre> du serveur de production (ex. practitioner.identifier=…) : équivaut à _has:PractitionerRole:service:practitioner.<paramètre>',
  },
  { code: 'organization', base: 'HealthcareService', type: 'reference', url: `${CORE_SP}HealthcareService-organization`, expression: 'HealthcareService.providedBy', targets: ['Organization'] },
  {
    code: 'age-range-low',
    base: 'HealthcareService',
    type: 'quantity',
    url: `${IG_SP}ror-sp-healthcareservice-age-range-low`,
    expression: `HealthcareService.${ext('ror-healthcareservice-patient-type')}.extension.where(url = 'ageRange').value.low`,
  },
  {
    code: 'age-range-high',
    base: 'HealthcareService',
    type: 'quantity',
    url: `${IG_SP}ror-sp-healthcareservice-age-range-high`,
    expression: `HealthcareService.${ext('ror-healthcareservice-patient-type')}.extension.where(url = 'ageRange').value.high`,
  },
  {
    code: 'patient-type',
    base: 'HealthcareService',
    type: 'token',
    url: `${IG_SP}ror-sp-healthcareservice-patient-type`,
    expression: `HealthcareService.${ext('ror-healthcareservice-patient-type')}.${sub('supportedPatientInfo')}`,
  },
  {
    code: 'intervention-zone',
    base: 'HealthcareService',
    type: 'token',
    url: `${IG_SP}ror-sp-healthcareservice-intervention-zone`,
    expression: `HealthcareService.${ext('ror-territorial-division')}.${sub('codeTerritorialDivision')}`,
  },
  {
    code: 'psychiatric-sector',
    base: 'HealthcareService',
    type: 'string',
    url: `${IG_SP}ror-sp-healthcareservice-psychiatric-sector`,
    expression: `HealthcareService.${ext('ror-healthcareservice-psychiatric-sector')}.value`,
  },
  {
    code: 'notavailable-closing-reopeningdate',
    base: 'HealthcareService',
    type: 'date',
    url: `${IG_SP}ror-sp-healthcareservice-notavailable-closing-reopeningdate`,
    expression: "HealthcareService.notAvailable.where(id='closingReopeningDate').during",
  },
  {
    code: 'equipment-type',
    base: 'HealthcareService',
    type: 'token',
    url: `${IG_SP}ror-sp-healthcareservice-equipment-type`,
    expression: "HealthcareService.extension.where(url = 'http://interop.esante.gouv.fr/ig/fhir/ror30/StructureDefinition/ror-healthcareservice-equipement').extension.where(url = 'equipmentType').value",
    documentation: "Paramètre de l'IG absent de tout CapabilityStatement (URL ror30 périmée) ; indexé tel quel.",
  },

  // ---- Organization
  ...common('Organization'),
  { code: 'identifier', base: 'Organization', type: 'token', url: `${CORE_SP}Organization-identifier`, expression: 'Organization.identifier' },
  { code: 'name', base: 'Organization', type: 'string', url: `${CORE_SP}Organization-name`, expression: 'Organization.name | Organization.alias' },
  { code: 'type', base: 'Organization', type: 'token', url: `${CORE_SP}Organization-type`, expression: 'Organization.type' },
  { code: 'active', base: 'Organization', type: 'token', url: `${CORE_SP}Organization-active`, expression: 'Organization.active' },
  { code: 'partof', base: 'Organization', type: 'reference', url: `${CORE_SP}Organization-partof`, expression: 'Organization.partOf', targets: ['Organization'] },
  { code: 'closing-type', base: 'Organization', type: 'token', url: `${IG_SP}ror-sp-organization-closing-type`, expression: `Organization.${ext('ror-organization-closing-type')}.value` },
  { code: 'drop-zone', base: 'Organization', type: 'token', url: `${IG_SP}ror-sp-organization-drop-zone`, expression: `Organization.${ext('ror-organization-drop-zone')}.value` },
  {
    code: 'period-end',
    base: 'Organization',
    type: 'date',
    url: `${IG_SP}ror-sp-organization-period-end`,
    expression: "Organization.extension.where(url='http://hl7.org/fhir/StructureDefinition/organization-period').value.end",
  },
  {
    code: 'oi-name',
    base: 'Organization',
    type: 'string',
    url: `${IG_SP}ror-sp-organization-oi-name`,
    expression: `Organization.${ext('ror-organization-oi-name')}.value`,
    // The IG defines the SearchParameter but neither its CapabilityStatement nor the Organization profile (the
    // extension is not allowed): indexed should the profile admit it, not offered.
    unlisted: true,
  },
  {
    ...priceParam('price-amount-value', 'ror-sp-organization-price-amount-value', 'number', 'amount'),
    expression: `${sub('amount')}.value`,
    igExpression: `Organization.${ext('ror-organization-price')}.${sub('amount')}.as(Money).value`,
    deviation: "Le code du SearchParameter de l'IG est « amount-value » mais le CapabilityStatement le nomme « price-amount-value » : le nom du CS, celui qu'utilisent les clients, est retenu.",
  },
  {
    // The IG SearchParameter's own code, for clients that read it rather than the CapabilityStatement.
    code: 'amount-value',
    base: 'Organization',
    type: 'number',
    url: `${IG_SP}ror-sp-organization-price-amount-value`,
    group: PRICE,
    indexedAs: 'price-amount-value',
    unlisted: true,
  },
  priceParam('price-dependency-level', 'ror-sp-organization-price-dependency-level', 'token', 'dependencyLevel'),
  priceParam('price-residential-type', 'ror-sp-organization-price-residential-type', 'token', 'residentialType'),
  priceParam('price-type', 'ror-sp-organization-price-type', 'token', 'priceType'),
  priceParam('price-unit', 'ror-sp-organization-price-unit', 'token', 'priceUnit'),
  priceParam('price-welcome-type', 'ror-sp-organization-price-welcome-type', 'token', 'welcomeType'),
  {
    ...priceParam('price-validity-start-date', 'ror-sp-organization-price-validity-start-date', 'date', 'startDate'),
    igExpression: `Organization.${ext('ror-organization')}.${sub('startDate')}.as(date)`,
    deviation: "L'expression de l'IG vise l'URL ror-organization et le type date ; startDate est une sous-extension dateTime de ror-organization-price.",
  },
  {
    ...priceParam('special-price', 'ror-sp-organization-special-price', 'token', 'specialPrice'),
    igExpression: `Organization.${ext('ror-organization-price')}.${sub('dependencyLevel')}.as(CodeableConcept)`,
    deviation: "L'expression de l'IG lit dependencyLevel (copie de price-dependency-level) ; indexé sur specialPrice (condition tarifaire).",
  },

  // ---- Practitioner, PractitionerRole
  ...common('Practitioner'),
  { code: 'identifier', base: 'Practitioner', type: 'token', url: `${CORE_SP}Practitioner-identifier`, expression: 'Practitioner.identifier' },
  { code: 'name', base: 'Practitioner', type: 'string', url: `${CORE_SP}Practitioner-name`, expression: 'Practitioner.name.family | Practitioner.name.given | Practitioner.name.text' },
  ...common('PractitionerRole'),
  { code: 'identifier', base: 'PractitionerRole', type: 'token', url: `${CORE_SP}PractitionerRole-identifier`, expression: 'PractitionerRole.identifier' },
  { code: 'practitioner', base: 'PractitionerRole', type: 'reference', url: `${CORE_SP}PractitionerRole-practitioner`, expression: 'PractitionerRole.practitioner', targets: ['Practitioner'] },
  { code: 'organization', base: 'PractitionerRole', type: 'reference', url: `${CORE_SP}PractitionerRole-organization`, expression: 'PractitionerRole.organization', targets: ['Organization'] },
  { code: 'service', base: 'PractitionerRole', type: 'reference', url: `${CORE_SP}PractitionerRole-service`, expression: 'PractitionerRole.healthcareService', targets: ['HealthcareService'] },
  { code: 'location', base: 'PractitionerRole', type: 'reference', url: `${CORE_SP}PractitionerRole-location`, expression: 'PractitionerRole.location', targets: ['Location'] },

  // ---- Task
  ...common('Task'),
  { code: 'identifier', base: 'Task', type: 'token', url: `${CORE_SP}Task-identifier`, expression: 'Task.identifier' },
  { code: 'status', base: 'Task', type: 'token', url: `${CORE_SP}Task-status`, expression: 'Task.status' },
  { code: 'business-status', base: 'Task', type: 'token', url: `${CORE_SP}Task-business-status`, expression: 'Task.businessStatus' },
  { code: 'code', base: 'Task', type: 'token', url: `${CORE_SP}Task-code`, expression: 'Task.code' },
  { code: 'authored-on', base: 'Task', type: 'date', url: `${CORE_SP}Task-authored-on`, expression: 'Task.authoredOn' },
  {
    code: 'focus',
    base: 'Task',
    type: 'reference',
    url: `${CORE_SP}Task-focus`,
    expression: 'Task.focus',
    targets: ['HealthcareService', 'Location', 'Organization', 'Practitioner', 'PractitionerRole'],
  },
];

const BY_TYPE = new Map<string, Map<string, SearchParamDef>>();
for (const p of SEARCH_PARAMETERS) {
  let m = BY_TYPE.get(p.base);
  if (!m) BY_TYPE.set(p.base, (m = new Map()));
  if (m.has(p.code)) throw new Error(`duplicate search parameter ${p.base}.${p.code}`);
  m.set(p.code, p);
}

export function paramsOf(resourceType: string): ReadonlyMap<string, SearchParamDef> {
  return BY_TYPE.get(resourceType) ?? new Map();
}

export function findParam(resourceType: string, code: string): SearchParamDef | undefined {
  return BY_TYPE.get(resourceType)?.get(code);
}
