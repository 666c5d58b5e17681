import {
  availableTimeRule, codeableValue as cc, JDV, metaComment, metaCreationDate, SD, telecomPattern, tre, type Profile,
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
          { name: 'competence', byBinding: true, binding: JDV.J232 },
          { name: 'exclusiveCompetence', byBinding: true, binding: JDV.J211 },
          { name: 'specificOrientation', byBinding: true, binding: JDV.J212 },
          { name: 'expertiseCapacity', byBinding: true, binding: JDV.J213 },
          { name: 'qualificationPAC', byBinding: true, binding: JDV.J214 },
          { name: 'nonQualifyingDESC', byBinding: true, binding: JDV.J215 },
          { name: 'supplementaryExerciseRight', byBinding: true, binding: JDV.J216 },
        ],
      },
      telecom: { max: 1, ...telecomPattern },
      availableTime: { max: 1, ...availableTimeRule },
    },
  },
};
