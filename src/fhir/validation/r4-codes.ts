import { createRequire } from 'node:module';

/**
 * Required bindings of FHIR R4 (4.0.1) on `code`-typed elements that can occur in the six stored resource
 * types (Organization, HealthcareService, Location, Practitioner, PractitionerRole, Task) and in every data
 * type they may carry, including through `Extension.value[x]` and `Task.input/output.value[x]`.
 *
 * Authority: the structure definitions of hl7.fhir.r4.core 4.0.1 (element → binding strength and value set)
 * and the R4 ValueSets cited on each list below (http://hl7.org/fhir/R4/valueset-<id>.html). The lists are
 * transcribed by hand: no package this repository depends on ships the R4 definitions (the `fhirpath` model
 * tables carry types and cardinalities, not bindings).
 *
 * Elements of these types with a binding that is not `required` are deliberately absent: Resource.language,
 * Attachment.language (preferred), Expression.language (extensible), Location.operationalStatus (a Coding,
 * preferred; the ROR profile binds it to JDV_J224), Signature.type, Identifier.type, Meta.security
 * (extensible), and every CodeableConcept of the six resources (example, preferred or extensible in R4).
 * Codes of value sets drawn from an external code system that R4 does not enumerate (BCP 13 media types,
 * ISO 4217 currencies) are checked for their syntax only.
 */

const R4 = '4.0.1';

/** One required binding: the R4 value set and the test of a code. */
export interface R4CodeBinding {
  /** Name of the R4 ValueSet (`TaskStatus`). */
  name: string;
  /** Canonical URL with version (`http://hl7.org/fhir/ValueSet/task-status|4.0.1`). */
  valueSet: string;
  /** Enumerated codes, when the value set lists them. */
  codes?: readonly string[];
  /** Otherwise, a syntactic test. */
  test?: (code: string) => boolean;
  /** What is expected, for diagnostics (French) when the list is too long to be named or there is none. */
  expected?: string;
}

const vs = (id: string, name: string, codes: readonly string[]): R4CodeBinding => ({
  name,
  valueSet: `http://hl7.org/fhir/ValueSet/${id}|${R4}`,
  codes,
});

// ---- The value sets (R4 4.0.1) ---------------------------------------------------------------------------

/** http://hl7.org/fhir/ValueSet/administrative-gender|4.0.1 */
export const ADMINISTRATIVE_GENDER = vs('administrative-gender', 'AdministrativeGender', ['male', 'female', 'other', 'unknown']);
/** http://hl7.org/fhir/ValueSet/days-of-week|4.0.1 */
export const DAYS_OF_WEEK = vs('days-of-week', 'DaysOfWeek', ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
/** http://hl7.org/fhir/ValueSet/task-status|4.0.1 */
export const TASK_STATUS = vs('task-status', 'TaskStatus', [
  'draft', 'requested', 'received', 'accepted', 'rejected', 'ready', 'cancelled', 'in-progress', 'on-hold', 'failed',
  'completed', 'entered-in-error',
]);
/** http://hl7.org/fhir/ValueSet/task-intent|4.0.1 (task-intent#unknown + request-intent without `directive`) */
export const TASK_INTENT = vs('task-intent', 'TaskIntent', [
  'unknown', 'proposal', 'plan', 'order', 'original-order', 'reflex-order', 'filler-order', 'instance-order', 'option',
]);
/** http://hl7.org/fhir/ValueSet/request-priority|4.0.1 */
export const REQUEST_PRIORITY = vs('request-priority', 'RequestPriority', ['routine', 'urgent', 'asap', 'stat']);
/** http://hl7.org/fhir/ValueSet/location-status|4.0.1 */
export const LOCATION_STATUS = vs('location-status', 'LocationStatus', ['active', 'suspended', 'inactive']);
/** http://hl7.org/fhir/ValueSet/location-mode|4.0.1 */
export const LOCATION_MODE = vs('location-mode', 'LocationMode', ['instance', 'kind']);
/** http://hl7.org/fhir/ValueSet/identifier-use|4.0.1 */
export const IDENTIFIER_USE = vs('identifier-use', 'IdentifierUse', ['usual', 'official', 'temp', 'secondary', 'old']);
/** http://hl7.org/fhir/ValueSet/name-use|4.0.1 */
export const NAME_USE = vs('name-use', 'NameUse', ['usual', 'official', 'temp', 'nickname', 'anonymous', 'old', 'maiden']);
/** http://hl7.org/fhir/ValueSet/contact-point-system|4.0.1 */
export const CONTACT_POINT_SYSTEM = vs('contact-point-system', 'ContactPointSystem', ['phone', 'fax', 'email', 'pager', 'url', 'sms', 'other']);
/** http://hl7.org/fhir/ValueSet/contact-point-use|4.0.1 */
export const CONTACT_POINT_USE = vs('contact-point-use', 'ContactPointUse', ['home', 'work', 'temp', 'old', 'mobile']);
/** http://hl7.org/fhir/ValueSet/address-use|4.0.1 */
export const ADDRESS_USE = vs('address-use', 'AddressUse', ['home', 'work', 'temp', 'old', 'billing']);
/** http://hl7.org/fhir/ValueSet/address-type|4.0.1 */
export const ADDRESS_TYPE = vs('address-type', 'AddressType', ['postal', 'physical', 'both']);
/** http://hl7.org/fhir/ValueSet/narrative-status|4.0.1 */
export const NARRATIVE_STATUS = vs('narrative-status', 'NarrativeStatus', ['generated', 'extensions', 'additional', 'empty']);
/** http://hl7.org/fhir/ValueSet/quantity-comparator|4.0.1 */
export const QUANTITY_COMPARATOR = vs('quantity-comparator', 'QuantityComparator', ['<', '<=', '>=', '>']);
/** http://hl7.org/fhir/ValueSet/units-of-time|4.0.1 (the UCUM units of Timing) */
export const UNITS_OF_TIME = vs('units-of-time', 'UnitsOfTime', ['s', 'min', 'h', 'd', 'wk', 'mo', 'a']);
/** http://hl7.org/fhir/ValueSet/event-timing|4.0.1 (event-timing + v3 TimingEvent) */
export const EVENT_TIMING = vs('event-timing', 'EventTiming', [
  'MORN', 'MORN.early', 'MORN.late', 'NOON', 'AFT', 'AFT.early', 'AFT.late', 'EVE', 'EVE.early', 'EVE.late', 'NIGHT', 'PHS',
  'HS', 'WAKE', 'C', 'CM', 'CD', 'CV', 'AC', 'ACM', 'ACD', 'ACV', 'PC', 'PCM', 'PCD', 'PCV',
]);
/** http://hl7.org/fhir/ValueSet/contributor-type|4.0.1 */
export const CONTRIBUTOR_TYPE = vs('contributor-type', 'ContributorType', ['author', 'editor', 'reviewer', 'endorser']);
/** http://hl7.org/fhir/ValueSet/related-artifact-type|4.0.1 */
export const RELATED_ARTIFACT_TYPE = vs('related-artifact-type', 'RelatedArtifactType', [
  'documentation', 'justification', 'citation', 'predecessor', 'successor', 'derived-from', 'depends-on', 'composed-of',
]);
/** http://hl7.org/fhir/ValueSet/trigger-type|4.0.1 */
export const TRIGGER_TYPE = vs('trigger-type', 'TriggerType', [
  'named-event', 'periodic', 'data-changed', 'data-added', 'data-modified', 'data-removed', 'data-accessed', 'data-access-ended',
]);
/** http://hl7.org/fhir/ValueSet/sort-direction|4.0.1 */
export const SORT_DIRECTION = vs('sort-direction', 'SortDirection', ['ascending', 'descending']);
/** http://hl7.org/fhir/ValueSet/operation-parameter-use|4.0.1 */
export const OPERATION_PARAMETER_USE = vs('operation-parameter-use', 'OperationParameterUse', ['in', 'out']);

/**
 * http://hl7.org/fhir/ValueSet/all-types|4.0.1: every R4 data type and resource type (FHIRDefinedType) plus
 * the abstract `Type` and `Any`. Not transcribed: the type names are those of the R4 model tables already
 * read by model.ts (the `fhirpath` package), which list every type with its parent.
 */
export const ALL_TYPES: R4CodeBinding = (() => {
  const require = createRequire(import.meta.url);
  const type2Parent = require('fhirpath/fhir-context/r4/type2Parent.json') as Record<string, string>;
  const names = new Set([...Object.keys(type2Parent), ...Object.values(type2Parent), 'Type', 'Any']);
  return {
    name: 'FHIRAllTypes',
    valueSet: `http://hl7.org/fhir/ValueSet/all-types|${R4}`,
    codes: [...names].sort(),
    expected: 'un nom de type de données ou de ressource FHIR R4 (par exemple Quantity, Organization)',
  };
})();

// RFC 6838 restricted-name: the first character alphanumeric, then up to 126 of [A-Za-z0-9!#$&^_.+-].
const RESTRICTED_NAME = "[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}";
const MEDIA_TYPE = new RegExp(`^${RESTRICTED_NAME}/${RESTRICTED_NAME}(\\s*;\\s*[A-Za-z0-9!#$&^_.+-]+=("[^"]*"|[^;\\s"]+))*$`);

/** http://hl7.org/fhir/ValueSet/mimetypes|4.0.1: any BCP 13 media type (urn:ietf:bcp:13); syntax checked. */
export const MIME_TYPES: R4CodeBinding = {
  name: 'Mime Types',
  valueSet: `http://hl7.org/fhir/ValueSet/mimetypes|${R4}`,
  test: (code) => MEDIA_TYPE.test(code),
  expected: 'un type de média BCP 13 de la forme type/sous-type (par exemple application/pdf, text/plain; charset=UTF-8)',
};

/** http://hl7.org/fhir/ValueSet/currencies|4.0.1: ISO 4217 (urn:iso:std:iso:4217); syntax checked. */
export const CURRENCIES: R4CodeBinding = {
  name: 'Currencies',
  valueSet: `http://hl7.org/fhir/ValueSet/currencies|${R4}`,
  test: (code) => /^[A-Z]{3}$/.test(code),
  expected: 'un code alphabétique ISO 4217 de trois lettres majuscules (par exemple EUR)',
};

// ---- Element → binding ------------------------------------------------------------------------------------

/**
 * Every R4 element of type `code` with a required binding reachable from the stored types, by definition path
 * (the `path` of model.ts's ElementInfo: `Task.status`, `ContactPoint.system`, `HealthcareService.availableTime.daysOfWeek`).
 * Age, Count, Distance and Duration are specialisations of Quantity with their own paths in the model tables.
 */
export const R4_REQUIRED_CODES: Readonly<Record<string, R4CodeBinding>> = {
  // Resources
  'HealthcareService.availableTime.daysOfWeek': DAYS_OF_WEEK,
  'Location.status': LOCATION_STATUS,
  'Location.mode': LOCATION_MODE,
  'Location.hoursOfOperation.daysOfWeek': DAYS_OF_WEEK,
  'Practitioner.gender': ADMINISTRATIVE_GENDER,
  'PractitionerRole.availableTime.daysOfWeek': DAYS_OF_WEEK,
  'Task.status': TASK_STATUS,
  'Task.intent': TASK_INTENT,
  'Task.priority': REQUEST_PRIORITY,
  // Data types
  'Address.use': ADDRESS_USE,
  'Address.type': ADDRESS_TYPE,
  'ContactPoint.system': CONTACT_POINT_SYSTEM,
  'ContactPoint.use': CONTACT_POINT_USE,
  'HumanName.use': NAME_USE,
  'Identifier.use': IDENTIFIER_USE,
  'Narrative.status': NARRATIVE_STATUS,
  'Quantity.comparator': QUANTITY_COMPARATOR,
  'Age.comparator': QUANTITY_COMPARATOR,
  'Count.comparator': QUANTITY_COMPARATOR,
  'Distance.comparator': QUANTITY_COMPARATOR,
  'Duration.comparator': QUANTITY_COMPARATOR,
  'Attachment.contentType': MIME_TYPES,
  'Signature.targetFormat': MIME_TYPES,
  'Signature.sigFormat': MIME_TYPES,
  'Money.currency': CURRENCIES,
  'Timing.repeat.durationUnit': UNITS_OF_TIME,
  'Timing.repeat.periodUnit': UNITS_OF_TIME,
  'Timing.repeat.dayOfWeek': DAYS_OF_WEEK,
  'Timing.repeat.when': EVENT_TIMING,
  'Contributor.type': CONTRIBUTOR_TYPE,
  'RelatedArtifact.type': RELATED_ARTIFACT_TYPE,
  'TriggerDefinition.type': TRIGGER_TYPE,
  'DataRequirement.type': ALL_TYPES,
  'DataRequirement.sort.direction': SORT_DIRECTION,
  'ParameterDefinition.use': OPERATION_PARAMETER_USE,
  'ParameterDefinition.type': ALL_TYPES,
};

/**
 * The other `code` elements of the same types, with their R4 binding: not checked against a value set. Kept so
 * that a unit test can show every `code` element of the model is classified one way or the other.
 */
export const R4_CODES_NOT_REQUIRED: Readonly<Record<string, 'no binding' | 'preferred' | 'extensible'>> = {
  'Resource.language': 'preferred',
  'DomainResource.language': 'preferred',
  'Organization.language': 'preferred',
  'HealthcareService.language': 'preferred',
  'Location.language': 'preferred',
  'Practitioner.language': 'preferred',
  'PractitionerRole.language': 'preferred',
  'Task.language': 'preferred',
  'Attachment.language': 'preferred',
  'Expression.language': 'extensible',
  'Coding.code': 'no binding',
  'Quantity.code': 'no binding',
  'Age.code': 'no binding',
  'Count.code': 'no binding',
  'Distance.code': 'no binding',
  'Duration.code': 'no binding',
  'ParameterDefinition.name': 'no binding',
  'Extension.valueCode': 'no binding',
  'Task.input.valueCode': 'no binding',
  'Task.output.valueCode': 'no binding',
};

const sets = new WeakMap<R4CodeBinding, ReadonlySet<string>>();

/** Whether a (well-formed) code satisfies an R4 required binding. */
export function isInR4Binding(binding: R4CodeBinding, code: string): boolean {
  if (!binding.codes) return binding.test!(code);
  let set = sets.get(binding);
  if (!set) sets.set(binding, (set = new Set(binding.codes)));
  return set.has(code);
}
