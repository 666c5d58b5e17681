import {
  availableTimeRule, codeableValue as cc, JDV, metaComment, metaCreationDate, metaRule, SD, telecomPattern, tre, type Profile,
} from '../profile.ts';

/** RORPractitionerRole (IG 0.7.0 `ror-practitionerrole`): one situation opérationnelle of a professional. */
export const practitionerRoleProfile: Profile = {
  url: `${SD}ror-practitionerrole`,
  resourceType: 'PractitionerRole',
  root: {
    extensions: [
      metaCreationDate,
      metaComment,
      { url: `${SD}ror-practitionerrole-unit-exercise-mode`, min: 1, max: 1, value: cc(JDV.J217) },
      {
        url: `${SD}ror-practitionerrole-name`,
        max: 1,
        extensions: [
          { url: 'exerciseTitle', max: 1, value: cc(JDV.J208) },
          { url: 'exerciseLastName', min: 1, max: 1, value: { type: 'string' } },
          { url: 'exerciseFirstName', max: 1, value: { type: 'string' } },
        ],
      },
    ],
    children: {
      meta: metaRule,
      identifier: { max: 1 },
      practitioner: { min: 1, max: 1, refTypes: ['Practitioner'] },
      healthcareService: { min: 1, max: 1, refTypes: ['HealthcareService'] },
      organization: { refTypes: ['Organization'] },
      location: { refTypes: ['Location'] },
      code: { min: 1, max: 1, binding: JDV.J229 },
      specialty: {
        min: 1,
        // Decision (docs/validation.md §4): the IG's `url` discriminator is read as `coding.system`.
        slices: [
          { name: 'expertiseType', systems: [tre('R04-TypeSavoirFaire')], min: 1, max: 1, binding: JDV.J209 },
          { name: 'specialty', systems: [tre('R38-SpecialiteOrdinale')], max: 1, binding: JDV.J210 },
          { name: 'specificCompetence', systems: [tre('R243-CompetenceSpecifique')], binding: JDV.J33 },
          // Each savoir-faire JDV lists codes of its own TRE (IG-NOS): the TRE system discriminates the slice,
          // so a code of that TRE outside the JDV is refused instead of matching no slice.
          { name: 'competence', systems: [tre('R39-Competence')], binding: JDV.J232 },
          { name: 'exclusiveCompetence', systems: [tre('R40-CompetenceExclusive')], binding: JDV.J211 },
          { name: 'specificOrientation', systems: [tre('G13-OrientationParticuliere')], binding: JDV.J212 },
          { name: 'expertiseCapacity', systems: [tre('R43-CapaciteSavoirFaire')], binding: JDV.J213 },
          { name: 'qualificationPAC', systems: [tre('R44-QualificationPAC')], binding: JDV.J214 },
          { name: 'nonQualifyingDESC', systems: [tre('R42-DESCnonQualifiant')], binding: JDV.J215 },
          { name: 'supplementaryExerciseRight', systems: [tre('R97-DroitExerciceCompl')], binding: JDV.J216 },
        ],
      },
      telecom: { max: 1, ...telecomPattern },
      availableTime: { max: 1, ...availableTimeRule },
    },
  },
};
