import { metaCreationDate, metaRule, SD, telecomPattern, type Profile } from '../profile.ts';

/** RORPractitioner (IG 0.7.0 `ror-practitioner`): the professional, identified by idNat_PS. */
export const practitionerProfile: Profile = {
  url: `${SD}ror-practitioner`,
  resourceType: 'Practitioner',
  root: {
    extensions: [metaCreationDate],
    children: {
      meta: metaRule,
      identifier: { min: 1, max: 1, children: { system: { min: 1, fixed: 'urn:oid:1.2.250.1.71.4.2.1' }, value: { min: 1 } } },
      name: { children: { prefix: { max: 1 } } },
      telecom: telecomPattern,
      qualification: { children: { issuer: { refTypes: ['Organization'] } } },
    },
  },
};
