/**
 * Small NOS value sets bound by the ROR profiles but absent from shared/data/nos: codes and displays only,
 * transcribed by hand from the public repository ansforge/IG-NOS (read through a stored index of it, the
 * repository being too large to clone). Source path and commit of each one are given with it; corrections of
 * obvious source errors are listed in `notes`. Licence: NOS public data (Licence Ouverte / Etalab 2.0).
 * scripts/derive-nos.ts turns this table into data/nos/nos-ror-extra.json.
 */
export interface ExtraValueSet {
  url: string;
  name: string;
  version: string;
  date: string;
  description?: string;
  system: string;
  concepts: [string, string][];
  source: string;
  notes?: string;
}

const NOS = 'https://mos.esante.gouv.fr/NOS';
const jdv = (name: string) => `${NOS}/${name}/FHIR/${name.replace('_', '-')}`;

export const EXTRA_VALUE_SETS: ExtraValueSet[] = [
  {
    url: jdv('JDV_J200-SousEnsembleAgregatStatutJuridique-ROR'),
    name: 'JDV_J200-SousEnsembleAgregatStatutJuridique-ROR',
    version: '20220826120000',
    date: '2022-08-26T12:00:00+01:00',
    description: 'Agrégats de statuts juridiques FINESS niveau 2',
    system: `${NOS}/TRE_R69-FinessAgregatStatutJuridiqueNiv2/FHIR/TRE-R69-FinessAgregatStatutJuridiqueNiv2`,
    concepts: [
      ['1100', 'Etat et Collectivités territoriales'],
      ['1200', 'Etablissement public'],
      ['2100', 'Organisme privé à but non lucratif'],
      ['2200', 'Organisme privé à caractère commercial'],
      ['3100', 'Personne morale de droit étranger'],
    ],
    source: 'ig/allNos2/ValueSet-JDV-J200-SousEnsembleAgregatStatutJuridique-ROR.json @ b8b0cc32cc5e1471d417d6d3a3dd17bfb0fce3e9',
  },
  {
    url: jdv('JDV_J209-TypeSavoirFaire-ROR'),
    name: 'JDV_J209-TypeSavoirFaire-ROR',
    version: '20230703120000',
    date: '2023-07-03T12:00:00+00:00',
    description: 'Type de savoir-faire',
    system: `${NOS}/TRE_R04-TypeSavoirFaire/FHIR/TRE-R04-TypeSavoirFaire`,
    concepts: [
      ['C', 'Compétence'],
      ['CAPA', 'Capacité'],
      ['CEX', 'Compétence exclusive'],
      ['DEC', "Droit d'exercice complémentaire"],
      ['DNQ', 'DESC non qualifiant'],
      ['FQ', 'Fonction qualifiée'],
      ['OP', 'Orientation particulière'],
      ['PAC', 'Qualification Praticien adjoint contractuel (PAC)'],
      ['S', 'Spécialité ordinale'],
      ['SH', 'Spécialité de concours hospitalier'],
    ],
    source: 'input/NOS/JDV/JDV_J209_TypeSavoirFaire_ROR.json @ 9ee18af097fb7e45b5f697788d5ea13220cdfee2',
  },
  {
    url: jdv('JDV_J217-ModeExercice-ROR'),
    name: 'JDV_J217-ModeExercice-ROR',
    version: '20230703120000',
    date: '2023-07-03T12:00:00+00:00',
    description: "Mode d'exercice",
    system: `${NOS}/TRE_R23-ModeExercice/FHIR/TRE-R23-ModeExercice`,
    concepts: [
      ['S', 'Salarié'],
      ['L', 'Libéral, indépendant, artisan, commerçant'],
      ['B', 'Bénévole'],
    ],
    source: 'input/NOS/JDV/JDV_J217_ModeExercice_ROR.json @ 6fc9dd5d21d33c0fd04041b87873c28c4a055a09',
  },
  {
    url: jdv('JDV_J229-ProfessionSante-ROR'),
    name: 'JDV_J229-ProfessionSante-ROR',
    version: '20230703120000',
    date: '2023-07-03T12:00:00+00:00',
    system: `${NOS}/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante`,
    concepts: [
      ['10', 'Médecin'],
      ['21', 'Pharmacien'],
      ['26', 'Audioprothésiste'],
      ['28', 'Opticien-Lunetier'],
      ['31', 'Assistant dentaire'],
      ['32', 'Physicien médical'],
      ['35', 'Aide-soignant'],
      ['36', 'Ambulancier'],
      ['37', 'Auxiliaire de puériculture'],
      ['38', 'Préparateur en pharmacie hospitalière'],
      ['39', 'Préparateur en pharmacie (officine)'],
      ['40', 'Chirurgien-Dentiste'],
      ['50', 'Sage-Femme'],
      ['60', 'Infirmier'],
      ['69', 'Infirmier psychiatrique'],
      ['70', 'Masseur-Kinésithérapeute'],
      ['80', 'Pédicure-Podologue'],
      ['81', 'Orthoprothésiste'],
      ['82', 'Podo-Orthésiste'],
      ['83', 'Orthopédiste-Orthésiste'],
      ['84', 'Oculariste'],
      ['85', 'Epithésiste'],
      ['86', 'Technicien de laboratoire médical'],
      ['91', 'Orthophoniste'],
      ['92', 'Orthoptiste'],
      ['94', 'Ergothérapeute'],
      ['95', 'Diététicien'],
      ['96', 'Psychomotricien'],
      ['98', 'Manipulateur ERM'],
    ],
    source: 'input/NOS/JDV/JDV_J229_ProfessionSante_ROR.json @ 6fc9dd5d21d33c0fd04041b87873c28c4a055a09',
    notes: 'the source description ("Type de caractéristique équipement") belongs to another JDV and is not kept',
  },
  {
    url: jdv('JDV_J237-RegionOM-ROR'),
    name: 'JDV_J237-RegionOM-ROR',
    version: '20230703120000',
    date: '2023-07-03T12:00:00+00:00',
    description: 'Région Outre-Mer et Monaco',
    system: `${NOS}/TRE_R30-RegionOM/FHIR/TRE-R30-RegionOM`,
    concepts: [
      ['01', 'Guadeloupe'],
      ['02', 'Martinique'],
      ['03', 'Guyane'],
      ['04', 'La Réunion'],
      ['06', 'Mayotte'],
      ['11', 'Ile-de-france'],
      ['24', 'Centre-Val-de-Loire'],
      ['27', 'Bourgogne-Franche-Comté'],
      ['28', 'Normandie'],
      ['32', 'Hauts-de-France'],
      ['44', 'Grand-Est'],
      ['52', 'Pays de la Loire'],
      ['53', 'Bretagne'],
      ['75', 'Nouvelle-Aquitaine'],
      ['76', 'Occitanie'],
      ['84', 'Auvergne-Rhône-Alpes'],
      ['93', "Provence-Alpes-Côte d'Azur"],
      ['94', 'Corse'],
    ],
    source: 'input/NOS/JDV/JDV_J237_RegionOM_ROR.json @ 6fc9dd5d21d33c0fd04041b87873c28c4a055a09',
    notes: 'the source url reads "…/JDV_J237-RegionOM-ROR.tabs/FHIR/…"; the URL bound by the ROR IG (without ".tabs") is used',
  },
  {
    url: jdv('JDV_J241-ThematiqueAnomalie-ROR'),
    name: 'JDV_J241-ThematiqueAnomalie-ROR',
    version: '20230703120000',
    date: '2023-07-03T12:00:00+00:00',
    description: 'Thématique caractérisant une anomalie de donnée ROR',
    system: `${NOS}/TRE_R350-ThematiqueAnomalie/FHIR/TRE-R350-ThematiqueAnomalie`,
    concepts: [
      ['01', 'Complétude'],
      ['02', 'Exhaustivité'],
      ['03', 'Cohérence'],
      ['04', 'Récence'],
      ['05', 'Structuration'],
      ['06', 'Exactitude'],
    ],
    source: 'input/NOS/JDV/JDV_J241_ThematiqueAnomalie_ROR.json @ 6fc9dd5d21d33c0fd04041b87873c28c4a055a09',
  },
  {
    url: jdv('JDV_J242-ActionAnomalie-ROR'),
    name: 'JDV_J242-ActionAnomalie-ROR',
    version: '20230703120000',
    date: '2023-07-03T12:00:00+00:00',
    description: "Action attendue dans le cadre de la gestion d'une anomalie de donnée dans le ROR",
    system: `${NOS}/TRE_R349-ActionAnomalie/FHIR/TRE-R349-ActionAnomalie`,
    concepts: [
      ['AJO', 'Ajout'],
      ['COR', 'Correction'],
      ['SUP', 'Suppression'],
    ],
    source: 'input/NOS/JDV/JDV_J242_ActionAnomalie_ROR.json @ 9ee18af097fb7e45b5f697788d5ea13220cdfee2',
  },
  {
    url: jdv('JDV_J244-StatutMetierAnomalie-ROR'),
    name: 'JDV_J244-StatutMetierAnomalie-ROR',
    version: '20230703120000',
    date: '2023-07-03T12:00:00+00:00',
    description: 'Statut métier des anomalies',
    system: `${NOS}/TRE_R352-StatutMetierAnomalie/FHIR/TRE-R352-StatutMetierAnomalie`,
    concepts: [
      ['01', 'Créé'],
      ['02', 'A traiter'],
      ['03', 'Annulé'],
      ['04', 'Bloqué (destinataire manquant)'],
      ['05', 'Envoyé au destinataire'],
      ['06', 'Toléré temporairement'],
      ['07', 'Toléré définitivement'],
      ['08', 'Corrigé'],
      ['09', 'Refusée'],
      ['10', 'A vérifier'],
    ],
    source: 'input/NOS/JDV/JDV_J244_StatutMetierAnomalie_ROR.json @ 6fc9dd5d21d33c0fd04041b87873c28c4a055a09',
  },
];
