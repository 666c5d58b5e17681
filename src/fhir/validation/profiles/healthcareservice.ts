import {
  availableTimeRule, codeableValue as cc, JDV, metaCreationDate, metaRule, metaTemplate, SD, telecomChannel,
  telecomConfidentiality, telecomPattern, telecomUsage, territorialDivision, tre, type ElementRule, type Profile,
} from '../profile.ts';

/** RORHealthcareService (IG 0.7.0 `ror-healthcareservice`): the operational offer. Decisions: docs/validation.md. */

export const ACT_TYPE_URL = `${SD}ror-act-type`;
const actType = (item: Record<string, unknown>): string | undefined => {
  const exts = Array.isArray(item.extension) ? (item.extension as Record<string, unknown>[]) : [];
  const e = exts.find((x) => x && x.url === ACT_TYPE_URL);
  return e && typeof e.valueCode === 'string' ? e.valueCode : undefined;
};
const noActType = (item: Record<string, unknown>) => actType(item) === undefined;
const noActTypeExt = { extensions: [{ url: ACT_TYPE_URL, max: 0 }] };
const actTypeExt = (code: string) => ({
  extensions: [{ url: ACT_TYPE_URL, min: 1, max: 1, value: { type: 'code' as const, rule: { codes: [code] } } }],
});

/** Age range of the patientèle: low and high required, in years, low ≤ high. */
const ageRange: ElementRule = {
  children: { low: { min: 1, children: { value: { min: 1 } } }, high: { min: 1, children: { value: { min: 1 } } } },
  check: (v) => {
    const out: { path?: string; diagnostics: string; code?: 'value' | 'invariant' }[] = [];
    const r = v as { low?: Record<string, unknown>; high?: Record<string, unknown> };
    for (const side of ['low', 'high'] as const) {
      const q = r[side];
      if (!q) continue;
      const unitOk = q.code === undefined || q.code === 'a';
      const systemOk = q.system === undefined || q.system === 'http://unitsofmeasure.org' || q.system === tre('R247-UcumUniteMesure');
      if (!unitOk || !systemOk) {
        out.push({ path: side, diagnostics: `L'âge doit être exprimé en années (code « a », système UCUM ou TRE_R247), reçu ${String(q.code ?? '')} ${String(q.system ?? '')}`.trim(), code: 'value' });
      }
    }
    const lo = r.low?.value, hi = r.high?.value;
    if (typeof lo === 'number' && typeof hi === 'number' && lo > hi) {
      out.push({ diagnostics: `La tranche d'âge est inversée : âge minimum ${lo} supérieur à l'âge maximum ${hi}`, code: 'invariant' });
    }
    return out;
  },
};

export const healthcareServiceProfile: Profile = {
  url: `${SD}ror-healthcareservice`,
  resourceType: 'HealthcareService',
  root: {
    extensions: [
      metaCreationDate,
      metaTemplate,
      { url: `${SD}ror-healthcareservice-sensitive-unit`, min: 1, max: 1, value: { type: 'boolean' } },
      { url: `${SD}ror-healthcareservice-no-consent-habilitation`, max: 1, value: { type: 'boolean' } },
      { url: `${SD}ror-healthcareservice-psychiatric-sector`, value: { type: 'string' } },
      territorialDivision,
      {
        url: `${SD}ror-healthcareservice-patient-type`,
        min: 1,
        max: 1,
        extensions: [
          { url: 'supportedPatientInfo', value: cc(JDV.J29) },
          { url: 'ageRange', min: 1, max: 1, value: { type: 'Range', rule: ageRange } },
        ],
      },
      {
        url: `${SD}ror-healthcareservice-contact`,
        extensions: [
          { url: 'name', max: 1, value: { type: 'HumanName' } },
          { url: `${SD}ror-contact-function-contact`, max: 1, value: cc(JDV.J220) },
          { url: 'purposeContact', max: 1, value: cc(JDV.J221) },
          { url: 'description', max: 1, value: { type: 'string' } },
          { url: `${SD}ror-confidentiality-level`, min: 1, max: 1, value: cc(JDV.J222) },
          {
            url: `${SD}ror-healthcareservice-contact-telecom`,
            extensions: [telecomChannel, telecomUsage, telecomConfidentiality, { url: 'telecomAddress', min: 1, max: 1, value: { type: 'string' } }],
          },
        ],
      },
    ],
    children: {
      meta: metaRule,
      identifier: { min: 1, max: 1, children: { value: { min: 1 } } },
      providedBy: { min: 1, max: 1, refTypes: ['Organization'] },
      category: { max: 1, binding: JDV.J238 },
      type: { min: 1, max: 1, binding: JDV.J20 },
      specialty: {
        min: 1,
        slices: [
          // Decision (docs/validation.md §2): at least one activité opérationnelle, several accepted.
          { name: 'operationalActivity', systems: [tre('R211-ActiviteOperationnelle')], min: 1, binding: JDV.J17 },
          {
            name: 'operationalActivityFamily',
            systems: [tre('R265-PrestationPilotageSerafin'), tre('R266-FamilleActiviteOperationnelleHorsSerafin')],
            max: 1,
            binding: JDV.J51,
          },
        ],
      },
      location: { refTypes: ['Location'] },
      coverageArea: { refTypes: ['Location'] },
      name: { min: 1 },
      telecom: telecomPattern,
      characteristic: {
        min: 1,
        slices: [
          { name: 'receptionType', systems: [tre('R240-TemporaliteAccueil')], where: noActType, max: 1, binding: JDV.J30, ...noActTypeExt },
          { name: 'careMode', systems: [tre('R213-ModePriseEnCharge')], where: noActType, min: 1, max: 1, binding: JDV.J19, ...noActTypeExt },
          { name: 'receptionModality', systems: [tre('R338-ModaliteAccueil')], where: noActType, binding: JDV.J226, ...noActTypeExt },
          { name: 'managementType', systems: [tre('R236-ModeGestion')], where: noActType, binding: JDV.J26, ...noActTypeExt },
          { name: 'specificAct', where: (i) => actType(i) !== undefined && actType(i) !== 'outsideOfficeAct', binding: JDV.J16, ...actTypeExt('specificAct') },
          { name: 'outsideOfficeAct', where: (i) => actType(i) === 'outsideOfficeAct', binding: JDV.J16, ...actTypeExt('outsideOfficeAct') },
          { name: 'takingCareSpeciality', systems: [tre('R245-SpecialisationDePriseEnCharge')], where: noActType, binding: JDV.J35, ...noActTypeExt },
          { name: 'annualOpening', systems: [tre('R238-OuvertureAnnuelle')], where: noActType, max: 1, binding: JDV.J28, ...noActTypeExt },
          {
            name: 'ressourceProfession',
            // The TREs JDV_J186 draws its codes from (IG-NOS).
            systems: ['G15-ProfessionSante', 'R94-ProfessionSocial', 'R85-RolePriseCharge', 'R96-AutreFonctionSanitaire', 'R95-UsagerTitre', 'G16-ProfessionFormation', 'R356-ProfessionRessource'].map(tre),
            where: noActType,
            binding: JDV.J186,
            ...noActTypeExt,
          },
          { name: 'specificCompetence', systems: [tre('R243-CompetenceSpecifique')], where: noActType, binding: JDV.J33, ...noActTypeExt },
          { name: 'expertiseLevel', systems: [tre('R253-TypeMaternite'), tre('R344-NiveauExpertise')], where: noActType, binding: JDV.J227, ...noActTypeExt },
          { name: 'temporalityStopService', systems: [tre('R286-TypeFermeture')], where: noActType, max: 1, binding: JDV.J185, ...noActTypeExt },
        ],
      },
      availableTime: availableTimeRule,
      notAvailable: {
        max: 1,
        slices: [
          {
            name: 'closingReopeningDate',
            where: (i) => i.id === 'closingReopeningDate',
            children: { description: { min: 1, fixed: 'Période de fermeture et de réouverture prévisionnelle' } },
          },
        ],
      },
    },
  },
};
