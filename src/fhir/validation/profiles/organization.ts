import {
  codeableValue as cc, JDV, metaComment, metaCreationDate, metaRule, metaTemplate, SD, telecomPattern, territorialDivision, tre,
  type ElementRule, type Profile, type SliceRule,
} from '../profile.ts';

/** ROROrganization (IG 0.7.0 `ror-organization`): EJ, EG and OI in one profile, told apart by type and identifiers. */

const G07 = tre('G07-TypeIdentifiantStructure');
const idSlice = (name: string, code: string, system: string, typeSystem = G07): SliceRule => ({
  name,
  typeCode: { path: 'type', code, system: typeSystem },
  max: 1,
  children: { system: { min: 1, fixed: system }, value: { min: 1 } },
});

const price = {
  url: `${SD}ror-organization-price`,
  extensions: [
    { url: 'priceType', min: 1, max: 1, value: cc(JDV.J36) },
    { url: 'priceUnit', min: 1, max: 1, value: cc(JDV.J205) },
    { url: 'amount', min: 1, max: 1, value: { type: 'Money' as const, rule: { children: { value: { min: 1 } } } } },
    { url: 'startDate', max: 1, value: { type: 'dateTime' as const } },
    { url: 'under60', max: 1, value: { type: 'boolean' as const } },
    { url: 'deliveryIncluded', value: cc(JDV.J206) },
    { url: 'othersDeliveryIncluded', value: { type: 'string' as const } },
    { url: 'residentialType', max: 1, value: cc(JDV.J32) },
    { url: 'specialPrice', max: 1, value: cc(JDV.J39) },
    { url: 'welcomeType', max: 1, value: cc(JDV.J30) },
    { url: 'mealDeliveryName', max: 1, value: { type: 'string' as const } },
    { url: 'dependencyLevel', max: 1, value: cc(JDV.J27) },
    { url: 'humanHelpPriceName', max: 1, value: { type: 'string' as const } },
    { url: 'managementType', max: 1, value: cc(JDV.J26) },
    { url: 'otherAdditionalServiceName', max: 1, value: { type: 'string' as const } },
    { url: 'additionalServiceName', max: 1, value: cc(JDV.J206) },
  ],
};

/** Organization.contact: confidentiality level required, purpose bound to JDV_J221, telecom pattern. */
export const organizationContact: ElementRule = {
  extensions: [
    { url: `${SD}ror-contact-function-contact`, max: 1, value: cc(JDV.J220) },
    { url: `${SD}ror-contact-description`, max: 1, value: { type: 'string' } },
    { url: `${SD}ror-contact-confidentiality-level`, min: 1, max: 1, value: cc(JDV.J222) },
  ],
  children: { purpose: { binding: JDV.J221 }, telecom: telecomPattern },
};

export const organizationProfile: Profile = {
  url: `${SD}ror-organization`,
  resourceType: 'Organization',
  root: {
    extensions: [
      metaCreationDate,
      metaComment,
      metaTemplate,
      price,
      territorialDivision,
      { url: `${SD}ror-organization-financial-help-type`, value: cc(JDV.J31) },
      { url: `${SD}ror-organization-accomodation-family`, max: 1, value: { type: 'boolean' } },
      { url: `${SD}ror-organization-nb-permanent-social-help-place`, max: 1, value: { type: 'integer' } },
      { url: `${SD}ror-organization-nb-temporary-social-help-place`, max: 1, value: { type: 'integer' } },
      { url: `${SD}ror-organization-accessibility-location`, max: 1, value: cc(JDV.J50) },
      { url: `${SD}ror-organization-level-recours-orsan`, max: 1, value: cc(JDV.J204) },
      { url: `${SD}ror-organization-drop-zone`, max: 1, value: { type: 'boolean' } },
      { url: `${SD}ror-organization-reopening-date`, max: 1, value: { type: ['date', 'dateTime'] } },
      { url: `${SD}ror-organization-creation-date`, max: 1, value: { type: ['date', 'dateTime'] } },
      { url: `${SD}ror-organization-closing-type`, max: 1, value: cc(JDV.J201) },
      { url: `${SD}ror-organization-comment`, max: 1, value: { type: 'string' } },
      { url: 'http://hl7.org/fhir/StructureDefinition/organization-period', max: 1, value: { type: 'Period' } },
    ],
    children: {
      meta: metaRule,
      identifier: {
        slices: [
          idSlice('idNatSt', '40', 'urn:oid:1.2.250.1.71.4.2.2'),
          idSlice('finess', '1', 'https://finess.esante.gouv.fr'),
          idSlice('sirene', '2', 'https://sirene.fr'),
          idSlice('numSIRET', '3', 'https://sirene.fr'),
          idSlice('rppsRang', '4', 'https://rppsrang.esante.gouv.fr'),
          idSlice('adeliRang', '0', 'https://adelirang.esante.gouv.fr'),
          idSlice('identifierOI', '42', 'https://oi.esante.gouv.fr', tre('R345-TypeIdentifiantAutre')),
        ],
      },
      type: {
        slices: [
          { name: 'statutJuridiqueINSEE', systems: [tre('R72-FinessStatutJuridique')], max: 1, binding: JDV.J199 },
          { name: 'sousEnsembleAgregatStatutJuridique', systems: [tre('R69-FinessAgregatStatutJuridiqueNiv2')], max: 1, binding: JDV.J200 },
          {
            name: 'categorieEtablissement',
            systems: [tre('R66-CategorieEtablissement'), tre('R02-SecteurActivite'), tre('R316-AutreCategorieEtablissement')],
            max: 1,
            binding: JDV.J55,
          },
          { name: 'sphParticipation', systems: [tre('R73-ESPIC')], max: 1, binding: JDV.J202 },
          { name: 'OIType', systems: [tre('R207-TypeOrganisationInterne')], max: 1, binding: JDV.J203 },
        ],
      },
      // name.extension:ror-organization-additional-name (complementRaisonSociale / complementDenominationEG)
      _name: { extensions: [{ url: `${SD}ror-organization-additional-name`, max: 1, value: { type: 'string' } }] },
      alias: { max: 1 },
      telecom: telecomPattern,
      address: { max: 1 },
      partOf: { refTypes: ['Organization'] },
      contact: organizationContact,
    },
  },
};
