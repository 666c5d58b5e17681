import {
  codeableValue as cc, JDV, metaCreationDate, metaRule, metaTemplate, SD, telecomPattern, type ExtensionRule, type Profile,
} from '../profile.ts';

/** RORLocation (IG 0.7.0 `ror-location`): place of delivery, with capacities, equipment and housing. */

const nonNegative = (label: string) => ({
  check: (v: unknown) => (typeof v === 'number' && v < 0 ? [{ diagnostics: `${label} ne peut pas être négatif (reçu ${v})`, code: 'value' as const }] : []),
});

/** One capacity indicator (§2 of the digest): the required qualifiers of a count of beds or places. */
export const supportedCapacity: ExtensionRule = {
  url: `${SD}ror-location-supported-capacity`,
  extensions: [
    { url: 'capacityType', min: 1, max: 1, value: cc(JDV.J187) },
    { url: 'capacityStatus', min: 1, max: 1, value: cc(JDV.J188) },
    { url: 'temporalityCapacity', min: 1, max: 1, value: cc(JDV.J189) },
    { url: 'nbCapacity', min: 1, max: 1, value: { type: 'integer', rule: nonNegative('Le nombre de lits ou places') } },
    { url: 'capacitySourceType', min: 1, max: 1, value: cc(JDV.J193) },
    { url: 'genderCapacityAvailable', max: 1, value: cc(JDV.J190) },
    { url: 'capacityUpdateDate', min: 1, max: 1, value: { type: 'dateTime' } },
    { url: 'capacityClosingType', max: 1, value: cc(JDV.J191) },
    { url: 'additionalBedType', max: 1, value: cc(JDV.J192) },
    { url: 'crisisType', max: 1, value: cc(JDV.J194) },
    { url: 'temporaryAssignement', min: 1, max: 1, value: cc(JDV.J195) },
    { url: 'comment', max: 1, value: { type: 'string' } },
  ],
};

export const equipment: ExtensionRule = {
  url: `${SD}ror-location-equipment`,
  extensions: [
    { url: 'equipmentType', min: 1, max: 1, value: cc(JDV.J18) },
    { url: 'nbInService', max: 1, value: { type: 'integer', rule: nonNegative("Le nombre d'équipements en service") } },
    {
      url: `${SD}ror-location-equipment-limit`,
      extensions: [
        { url: 'equipmentFeature', min: 1, max: 1, value: cc(JDV.J228) },
        { url: 'limitValue', min: 1, max: 1, value: { type: 'Quantity', rule: { children: { value: { min: 1 } } } } },
      ],
    },
  ],
};

export const residentialCapacity: ExtensionRule = {
  url: `${SD}ror-location-residential-capacity`,
  extensions: [
    { url: 'residentialType', min: 1, max: 1, value: cc(JDV.J32) },
    { url: 'residentialNumber', max: 1, value: { type: 'integer', rule: nonNegative("Le nombre d'habitations") } },
  ],
};

export const locationProfile: Profile = {
  url: `${SD}ror-location`,
  resourceType: 'Location',
  root: {
    extensions: [
      { url: `${SD}ror-commune-cog`, min: 1, max: 1, value: cc(JDV.J124) },
      equipment,
      residentialCapacity,
      supportedCapacity,
      metaCreationDate,
      metaTemplate,
      { url: `${SD}ror-comment`, max: 1, value: { type: 'string' } },
    ],
    children: {
      meta: metaRule,
      identifier: {
        slices: [
          { name: 'idExterneSynchro', typeCode: { path: 'type', code: '26' }, max: 1 },
          { name: 'idLocation', typeCode: { path: 'type', code: '25' }, max: 1 },
        ],
      },
      operationalStatus: { binding: JDV.J224 },
      type: { max: 1, binding: JDV.J198 },
      telecom: telecomPattern,
      position: { extensions: [{ url: `${SD}ror-coordinate-reliability`, max: 1, value: { type: 'boolean' } }] },
      managingOrganization: { refTypes: ['Organization'] },
      partOf: { refTypes: ['Location'] },
    },
  },
};
