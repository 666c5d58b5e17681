import { IG_CS, JDV, SD, type Profile, type SliceRule } from '../profile.ts';

/** RORTask (IG 0.7.0 `ror-task`): a data-quality anomaly on a ROR resource. */

const INPUT = `${IG_CS}input-task-ror-codesystem`;
const OUTPUT = `${IG_CS}output-task-ror-codesystem`;
const input = (name: string, valueKey: string, more: Partial<SliceRule> = {}): SliceRule => ({
  name,
  typeCode: { path: 'type', code: name, system: INPUT },
  ...(valueKey ? { children: { [valueKey]: { min: 1 } } } : {}),
  ...more,
});
const ACTORS = ['Organization', 'Practitioner', 'PractitionerRole'];

export const taskProfile: Profile = {
  url: `${SD}ror-task`,
  resourceType: 'Task',
  root: {
    children: {
      identifier: { max: 1 },
      businessStatus: { min: 1, binding: JDV.J244 },
      code: { min: 1, binding: JDV.J241 },
      focus: { min: 1 },
      authoredOn: { min: 1 },
      lastModified: { min: 1 },
      requester: { refTypes: ACTORS },
      owner: { refTypes: [...ACTORS, 'HealthcareService'] },
      location: { refTypes: ['Location'] },
      reasonCode: { min: 1, binding: JDV.J242 },
      input: {
        min: 1,
        slices: [
          input('ruleErrorId', 'valueString', { max: 1 }),
          input('errorValue', ''),
          input('proposedValue', ''),
          input('pathElementError', 'valueExpression', { max: 1 }),
          input('systemRequester', 'valueString', { min: 1, max: 1 }),
          input('identifierRequester', 'valueIdentifier', { max: 1 }),
        ],
      },
      output: {
        slices: [
          { name: 'newValue', typeCode: { path: 'type', code: 'newValue', system: OUTPUT } },
          { name: 'identifierAnalyst', typeCode: { path: 'type', code: 'identifierAnalyst', system: OUTPUT }, max: 1, children: { valueIdentifier: { min: 1 } } },
        ],
      },
    },
  },
};
