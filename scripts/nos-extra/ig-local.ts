/**
 * The ROR IG's own small code systems and value sets (IG 0.7.0), transcribed by hand (codes and displays only)
 * from the FSH sources of ansforge/IG-fhir-repertoire-offre-ressources-sante (input/fsh/codesystems/,
 * input/fsh/valueset/). scripts/derive-nos.ts turns them into data/nos/ror-ig.json.
 */
export const IG = 'https://interop.esante.gouv.fr/ig/fhir/ror';
const IG_COMMIT = '27432a88d7d35749de973b554cd504b34e486b70';

export interface IgCodeSystem {
  id: string;
  title: string;
  concepts: [string, string][];
  source: string;
}

export interface IgValueSet {
  id: string;
  title: string;
  /** Code systems included whole (by id). */
  systems: string[];
  source: string;
}

export const IG_CODE_SYSTEMS: IgCodeSystem[] = [
  {
    id: 'act-type-ror-codesystem',
    title: "Type d'acte (slices characteristic de ROR HealthcareService)",
    concepts: [
      ['specificAct', 'Acte spécifique'],
      ['outsideOfficeAct', 'Acte hors cabinet'],
    ],
    source: `input/fsh/codesystems/ActTypeRORCodeSystem.fsh @ ${IG_COMMIT}`,
  },
  {
    id: 'input-task-ror-codesystem',
    title: 'Éléments spécifiques de Task.input (RORTask)',
    concepts: [
      ['ruleErrorId', "Identifiant de la règle à l'origine de l'anomalie"],
      ['errorValue', 'donnée erronée'],
      ['proposedValue', 'nouvelle valeur proposée'],
      ['pathElementError', 'élément en erreur dans la ressource'],
      ['systemRequester', "système déclarant l'anomalie"],
      ['identifierRequester', "Identifiant du déclarant de l'anomalie"],
    ],
    source: `input/fsh/codesystems/InputTaskRORCodeSystem.fsh @ ${IG_COMMIT}`,
  },
  {
    id: 'output-task-ror-codesystem',
    title: 'Éléments spécifiques de Task.output (RORTask)',
    concepts: [
      ['newValue', 'Nouvelle valeur renseignée'],
      ['identifierAnalyst', 'identifiant du destinataire du traitement de la demande'],
    ],
    source: `input/fsh/codesystems/OutputTaskRORCodeSystem.fsh @ ${IG_COMMIT}`,
  },
  {
    id: 'ror-launch-context-codesystem',
    title: "Contexte de lancement d'un questionnaire dans le cadre du ROR",
    // The FSH gives display "ROR Structure" and a definition; the display is kept.
    concepts: [['ror-structure', 'ROR Structure']],
    source: 'input/fsh/codesystems/RORLaunchContexCodeSystem.fsh @ 38ad22edd18327af0d44ccda39377b39195e2181',
  },
];

export const IG_VALUE_SETS: IgValueSet[] = [
  {
    id: 'act-type-ror-valueset',
    title: "Valueset type d'acte",
    systems: ['act-type-ror-codesystem'],
    source: 'input/fsh/valueset/ActTypeRORValueSet.fsh @ 4b3497abdabab8fb090398d9d7d4845c19396aac',
  },
];
