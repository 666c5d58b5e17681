/**
 * Formats of the FHIR R4 primitive types (regular expressions of the R4 specification, "Data types" page),
 * checked on the JSON value. Returns a French diagnostic fragment when the value is malformed.
 */

const DATE = /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?$/;
const DATETIME =
  /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$/;
const INSTANT =
  /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$/;
const TIME = /^([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?$/;
const CODE = /^[^\s]+(\s[^\s]+)*$/;
const ID = /^[A-Za-z0-9\-.]{1,64}$/;
const OID = /^urn:oid:[0-2](\.(0|[1-9][0-9]*))+$/;
const UUID = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BASE64 = /^(\s*([0-9a-zA-Z+/=]){4}\s*)+$/;
const NO_SPACE = /^\S*$/;

/** Checks `value` against primitive `type`; undefined when valid, else what is wrong (French). */
export function checkPrimitive(type: string, value: unknown): string | undefined {
  switch (type) {
    case 'boolean':
    case 'System.Boolean':
      return typeof value === 'boolean' ? undefined : 'doit être un booléen JSON (true ou false)';
    case 'integer':
    case 'System.Integer':
      return Number.isInteger(value) && Math.abs(value as number) <= 2147483647 ? undefined : 'doit être un entier JSON';
    case 'positiveInt':
      return Number.isInteger(value) && (value as number) >= 1 ? undefined : 'doit être un entier strictement positif';
    case 'unsignedInt':
      return Number.isInteger(value) && (value as number) >= 0 ? undefined : 'doit être un entier positif ou nul';
    case 'decimal':
    case 'System.Decimal':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'doit être un nombre JSON';
  }
  if (typeof value !== 'string') return 'doit être une chaîne de caractères JSON';
  if (value.length === 0) return 'ne doit pas être une chaîne vide';
  switch (type) {
    case 'date':
    case 'System.Date':
      return DATE.test(value) ? undefined : `« ${value} » n'est pas une date valide (AAAA, AAAA-MM ou AAAA-MM-JJ)`;
    case 'dateTime':
    case 'System.DateTime':
      return DATETIME.test(value) ? undefined : `« ${value} » n'est pas une date/heure valide (AAAA-MM-JJThh:mm:ss+zz:zz)`;
    case 'instant':
      return INSTANT.test(value) ? undefined : `« ${value} » n'est pas un instant valide (date, heure et fuseau obligatoires)`;
    case 'time':
    case 'System.Time':
      return TIME.test(value) ? undefined : `« ${value} » n'est pas une heure valide (hh:mm:ss)`;
    case 'code':
      return CODE.test(value) ? undefined : `« ${value} » n'est pas un code valide (espaces en tête, en fin ou doublés)`;
    case 'id':
      return ID.test(value) ? undefined : `« ${value} » n'est pas un id valide (1 à 64 caractères A-Z a-z 0-9 - .)`;
    case 'oid':
      return OID.test(value) ? undefined : `« ${value} » n'est pas un OID valide (urn:oid:…)`;
    case 'uuid':
      return UUID.test(value) ? undefined : `« ${value} » n'est pas un UUID valide (urn:uuid:…)`;
    case 'uri':
    case 'url':
    case 'canonical':
      return NO_SPACE.test(value) ? undefined : `« ${value} » n'est pas une URI valide (espaces interdits)`;
    case 'base64Binary':
      return BASE64.test(value) ? undefined : "n'est pas du base64 valide";
    default:
      return undefined; // string, markdown, xhtml, System.String
  }
}
