/**
 * The public RPPS extract "PS_LibreAcces_Personne_activite" (Annuaire Santé, ANS): `|`-separated, one header
 * line, 56 columns (52 in extracts that publish savoir-faire apart) and a trailing `|` on every line, one line per
 * activity (a person × a structure × a savoir-faire), no quoting. Shared by the importer (rpps.parse.ts) and the synthetic generator
 * (scripts/rpps-generate.ts). Codes are NOS codes (TRE_G15 profession, TRE_R23 mode d'exercice, TRE_R04 type
 * de savoir-faire, TRE_R38 spécialité ordinale, TRE_R02 secteur d'activité, TRE_R11 civilité d'exercice,
 * TRE_R81 civilité, TRE_R09 catégorie professionnelle).
 */

/**
 * The 56 column names of the header, in order, as the extract published on 8 October 2026 writes them (the
 * generator writes this header). Older extracts spell some differently (`COLUMN_ALIASES`, and `columnKey`
 * ignores case, accents, `d'` and "(coord. structure)" vs "(structure)"); recent ones leave the four savoir-faire
 * columns out (published in a separate file). The importer maps columns by name, not by position.
 */
export const RPPS_COLUMNS = [
  "Type d'identifiant PP",
  'Identifiant PP',
  'Identification nationale PP',
  "Code civilité d'exercice",
  "Libellé civilité d'exercice",
  'Code civilité',
  'Libellé civilité',
  "Nom d'exercice",
  "Prénom d'exercice",
  'Code profession',
  'Libellé profession',
  'Code catégorie professionnelle',
  'Libellé catégorie professionnelle',
  'Code type savoir-faire',
  'Libellé type savoir-faire',
  'Code savoir-faire',
  'Libellé savoir-faire',
  'Code mode exercice',
  'Libellé mode exercice',
  'Numéro SIRET site',
  'Numéro SIREN site',
  'Numéro FINESS site',
  'Numéro FINESS établissement juridique',
  'Identifiant technique de la structure',
  'Raison sociale site',
  'Enseigne commerciale site',
  'Complément destinataire (coord. structure)',
  'Complément point géographique (coord. structure)',
  'Numéro Voie (coord. structure)',
  'Indice répétition voie (coord. structure)',
  'Code type de voie (coord. structure)',
  'Libellé type de voie (coord. structure)',
  'Libellé Voie (coord. structure)',
  'Mention distribution (coord. structure)',
  'Bureau cedex (coord. structure)',
  'Code postal (coord. structure)',
  'Code commune (coord. structure)',
  'Libellé commune (coord. structure)',
  'Code pays (coord. structure)',
  'Libellé pays (coord. structure)',
  'Téléphone (coord. structure)',
  'Téléphone 2 (coord. structure)',
  'Télécopie (coord. structure)',
  'Adresse e-mail (coord. structure)',
  'Code Département (structure)',
  'Libellé Département (structure)',
  'Ancien identifiant de la structure',
  "Autorité d'enregistrement",
  "Code secteur d'activité",
  "Libellé secteur d'activité",
  'Code section tableau pharmaciens',
  'Libellé section tableau pharmaciens',
  'Code rôle',
  'Libellé rôle',
  'Code genre activité',
  'Libellé genre activité',
] as const;

/** The header line as the extract writes it: the names joined by `|`, with a trailing `|`. */
export const RPPS_HEADER = `${RPPS_COLUMNS.join('|')}|`;

/** Short names of the columns (index in RPPS_COLUMNS, the generator's layout). */
export const COL = {
  idType: 0,
  idPP: 1,
  idNat: 2,
  civExCode: 3,
  civExLabel: 4,
  civCode: 5,
  civLabel: 6,
  lastName: 7,
  firstName: 8,
  profession: 9,
  professionLabel: 10,
  category: 11,
  categoryLabel: 12,
  sfType: 13,
  sfTypeLabel: 14,
  sfCode: 15,
  sfLabel: 16,
  mode: 17,
  modeLabel: 18,
  siret: 19,
  siren: 20,
  finess: 21,
  finessEj: 22,
  techId: 23,
  name: 24,
  brand: 25,
  recipient: 26,
  geoComplement: 27,
  houseNumber: 28,
  repetition: 29,
  streetTypeCode: 30,
  streetTypeLabel: 31,
  street: 32,
  distribution: 33,
  cedex: 34,
  postalCode: 35,
  commune: 36,
  communeLabel: 37,
  countryCode: 38,
  country: 39,
  phone: 40,
  phone2: 41,
  fax: 42,
  email: 43,
  department: 44,
  departmentLabel: 45,
  oldId: 46,
  authority: 47,
  sector: 48,
  sectorLabel: 49,
  pharmaSection: 50,
  pharmaSectionLabel: 51,
  function: 52,
  functionLabel: 53,
  activityKind: 54,
  activityKindLabel: 55,
} as const;
export type ColKey = keyof typeof COL;

/** Other spellings of a column seen in earlier extracts (beyond what `columnKey` already ignores). */
export const COLUMN_ALIASES: Partial<Record<ColKey, string[]>> = {
  civExLabel: ['Libellé civilité exercice'],
  function: ['Code fonction'],
  functionLabel: ['Libellé fonction'],
};

/** Columns without which a line cannot be imported: a header lacking one aborts the import. */
export const REQUIRED_COLUMNS: readonly ColKey[] = ['idType', 'idPP', 'idNat', 'lastName', 'profession', 'mode', 'siret', 'finess', 'techId'];

/**
 * The comparison key of a column name: case, accents, apostrophes and `d'` ignored, "(coord. structure)" and
 * "(structure)" the same, any run of other characters one space.
 */
export function columnKey(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\bd['’]/g, '')
    .replace(/\(\s*coord\.?\s*structure\s*\)|\(\s*structure\s*\)/g, ' structure ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/**
 * The 11 liberal professions the ROR takes from RPPS (TRE_G15-ProfessionSante codes): the scope the issue that
 * specifies the importer lists, a subset of the 29 codes of ansforge/IG-NOS JDV_J229-ProfessionSante-ROR (not the
 * whole value set: docs/imports.md). Each with the activité opérationnelle (TRE_R211, JDV_J17) of the cabinet's
 * offer when the savoir-faire says nothing more precise.
 */
export const LIBERAL_PROFESSIONS: Record<string, { label: string; activity: string }> = {
  '10': { label: 'Médecin', activity: '437' }, // Médecine générale
  '40': { label: 'Chirurgien-Dentiste', activity: '441' }, // Médecine bucco-dentaire
  '50': { label: 'Sage-Femme', activity: '282' }, // Périnatalité (suivi de grossesse)
  '60': { label: 'Infirmier', activity: '287' }, // Soins techniques infirmiers
  '70': { label: 'Masseur-Kinésithérapeute', activity: '339' }, // Kinésithérapie
  '80': { label: 'Pédicure-Podologue', activity: '201' }, // Podologie
  '91': { label: 'Orthophoniste', activity: '200' }, // Orthophonie
  '92': { label: 'Orthoptiste', activity: '106' }, // Orthoptie
  '94': { label: 'Ergothérapeute', activity: '283' }, // Rééducation - réadaptation
  '95': { label: 'Diététicien', activity: '040' }, // Diététique et Nutrition
  '96': { label: 'Psychomotricien', activity: '493' }, // Psychomotricité
};

/**
 * Spécialités ordinales (TRE_R38, savoir-faire of type `S`; every code of JDV_J210-SpecialiteOrdinale-ROR but
 * SM47 recherche médicale, which is no care offer) → activité opérationnelle (TRE_R211, JDV_J17) of the cabinet's
 * offer: the activity a liberal practitioner of that specialty offers in consultation. A spécialité missing here
 * is reported (`unmapped-specialty`); the offer is never guessed.
 */
export const SPECIALTY_ACTIVITY: Record<string, string> = {
  SM01: '163', // Anatomie et cytologie pathologiques → Anatomie et Cytologie pathologique
  SM02: '007', // Anesthésie-réanimation → Anesthésie
  SM03: '009', // Biologie médicale → Biochimie
  SM04: '013', // Cardiologie et maladies vasculaires → Cardiologie générale
  SM05: '033', // Chirurgie générale → Chirurgie viscérale et digestive
  SM06: '023', // Chirurgie maxillo-faciale → Chirurgie maxillo-faciale
  SM07: '023', // Chirurgie maxillo-faciale et stomatologie → Chirurgie maxillo-faciale
  SM08: '025', // Chirurgie orthopédique et traumatologie → Chirurgie orthopédique et traumatologique
  SM09: '033', // Chirurgie infantile → Chirurgie viscérale et digestive
  SM10: '178', // Chirurgie plastique reconstructrice et esthétique → Chirurgie plastique et esthétique
  SM11: '018', // Chirurgie thoracique et cardio-vasculaire → Chirurgie cardiaque et gros vaisseaux (cardio-vasculaire)
  SM12: '031', // Chirurgie urologique → Urologie
  SM13: '032', // Chirurgie vasculaire → Chirurgie vasculaire et endovasculaire
  SM14: '033', // Chirurgie viscérale et digestive → Chirurgie viscérale et digestive
  SM15: '037', // Dermatologie et vénéréologie → Dermatologie
  SM16: '041', // Endocrinologie et métabolisme → Endocrinologie
  SM17: '049', // Génétique médicale → Génétique médicale et clinique
  SM18: '050', // Gériatrie → Gériatrie, Gérontologie
  SM19: '053', // Gynécologie médicale → Gynécologie médicale
  SM20: '053', // Gynécologie-obstétrique → Gynécologie médicale
  SM21: '055', // Hématologie → Hématologie
  SM22: '055', // Hématologie, option maladie du sang → Hématologie
  SM23: '191', // Hématologie, option onco-hématologie → Oncologie hématologique (cancérologie)
  SM24: '046', // Gastro-entérologie et hépatologie → Gastro-entérologie
  SM25: '082', // Médecine du travail → Médecine du travail (pathologie professionnelle)
  SM26: '437', // Qualifié en médecine générale → Médecine générale
  SM27: '085', // Médecine interne → Médecine interne
  SM28: '087', // Médecine nucléaire → Médecine nucléaire
  SM29: '090', // Médecine physique et de réadaptation → Médecine physique et de réadaptation
  SM30: '095', // Néphrologie → Néphrologie
  SM31: '096', // Neuro-chirurgie → Neurochirurgie
  SM32: '097', // Neurologie → Neurologie
  SM33: '229', // Neuro-psychiatrie → Psychiatrie adulte
  SM34: '016', // ORL et chirurgie cervico-faciale → Chirurgie cervico-faciale et Oto-rhino-laryngologie (ORL)
  SM35: '191', // Oncologie, option onco-hématologie → Oncologie hématologique (cancérologie)
  SM36: '102', // Oncologie, option médicale → Oncologie-cancérologie
  SM37: '168', // Oncologie, option radiothérapie → Radiothérapie
  SM38: '103', // Ophtalmologie → Ophtalmologie
  SM39: '016', // Oto-rhino-laryngologie → Chirurgie cervico-faciale et Oto-rhino-laryngologie (ORL)
  SM40: '088', // Pédiatrie → Médecine pédiatrique
  SM41: '114', // Pneumologie → Pneumologie
  SM42: '229', // Psychiatrie → Psychiatrie adulte
  SM43: '227', // Psychiatrie, option enfant et adolescent → Pédopsychiatrie infanto-juvénile
  SM44: '454', // Radio-diagnostic → Radiologie polyvalente générale
  SM45: '168', // Radio-thérapie → Radiothérapie
  SM46: '126', // Médecine intensive-réanimation → Réanimation médicale
  SM48: '131', // Rhumatologie → Rhumatologie
  SM49: '334', // Santé publique et médecine sociale → Activité de prévention
  SM50: '137', // Stomatologie → Stomatologie
  SM51: '053', // Gynéco-obstétrique et gynéco-médicale, option gynéco-obstétrique → Gynécologie médicale
  SM52: '053', // Gynéco-obstétrique et gynéco-médicale, option gynéco-médicale → Gynécologie médicale
  SM53: '437', // Spécialiste en médecine générale → Médecine générale
  SM54: '437', // Médecine générale → Médecine générale
  SM55: '454', // Radio-diagnostic et radio-thérapie → Radiologie polyvalente générale
  SM56: '199', // Chirurgie orale → Chirurgie orale
  SM57: '005', // Allergologie → Allergologie
  SM58: '077', // Maladies infectieuses et tropicales → Maladies infectieuses, parasitaires et tropicales
  SM59: '157', // Médecine d'urgence → Urgences polyvalentes
  SM60: '086', // Médecine légale et expertises médicales → Médecine légale
  SM61: '091', // Médecine vasculaire → Médecine vasculaire (Angiologie, Phlébologie)
  SM62: '041', // Endocrinologie, diabétologie, nutrition → Endocrinologie
  SM63: '009', // Biologie médicale, option biologie générale → Biochimie
  SM64: '048', // Biologie médicale, option médecine moléculaire, génétique et pharmacologie → Génétique chromosomique et moléculaire
  SM65: '056', // Biologie médicale, option hématologie et immunologie → Hématologie biologique
  SM66: '093', // Biologie médicale, option agents infectieux → Microbiologie
  SM67: '010', // Biologie médicale, option biologie de la reproduction → Biologie du développement et de la reproduction
  SM68: '023', // Chirurgie maxillo-faciale (réforme 2017) → Chirurgie maxillo-faciale
  SM69: '033', // Chirurgie pédiatrique, option viscérale → Chirurgie viscérale et digestive
  SM70: '025', // Chirurgie pédiatrique, option orthopédie → Chirurgie orthopédique et traumatologique
  SM71: '055', // Hématologie (réforme 2017) → Hématologie
  SM72: '085', // Médecine interne et immunologie clinique → Médecine interne
  SCD01: '104', // Orthopédie dento-faciale → Orthodontie ou orthopédie dento-faciale
  SCD02: '199', // Chirurgie orale → Chirurgie orale
  SCD03: '441', // Médecine bucco-dentaire → Médecine bucco-dentaire
  SI01: '287', // IPA pathologies chroniques stabilisées → Soins techniques infirmiers
  SI02: '287', // IPA oncologie et hémato-oncologie → Soins techniques infirmiers
  SI03: '287', // IPA maladie rénale chronique, dialyse, transplantation → Soins techniques infirmiers
  SI04: '287', // IPA santé mentale → Soins techniques infirmiers
  SI05: '287', // IPA urgences → Soins techniques infirmiers
};

/** Secteurs d'activité (TRE_R02) of liberal practices that JDV_J55-CategorieEG-ROR retains for a cabinet. */
export const CABINET_SECTORS: Record<string, string> = {
  SA05: 'Centre de santé',
  SA07: 'Cabinet individuel',
  SA08: 'Cabinet de groupe',
  SA09: 'Exercice en société',
};

/** Modes d'exercice (TRE_R23, JDV_J217). */
export const MODES: Record<string, string> = { L: 'Libéral, indépendant, artisan, commerçant', S: 'Salarié', B: 'Bénévole' };

/** Types de savoir-faire (TRE_R04, JDV_J209). */
export const SAVOIR_FAIRE_TYPES: Record<string, string> = {
  C: 'Compétence',
  CAPA: 'Capacité',
  CEX: 'Compétence exclusive',
  DEC: "Droit d'exercice complémentaire",
  DNQ: 'DESC non qualifiant',
  FQ: 'Fonction qualifiée',
  OP: 'Orientation particulière',
  PAC: 'Qualification Praticien adjoint contractuel (PAC)',
  S: 'Spécialité ordinale',
  SH: 'Spécialité de concours hospitalier',
};

const nos = (tre: string) => `https://mos.esante.gouv.fr/NOS/${tre}/FHIR/${tre.replace('_', '-')}`;
export const RPPS_SYSTEMS = {
  G15: nos('TRE_G15-ProfessionSante'),
  R23: nos('TRE_R23-ModeExercice'),
  R04: nos('TRE_R04-TypeSavoirFaire'),
  R38: nos('TRE_R38-SpecialiteOrdinale'),
  R02: nos('TRE_R02-SecteurActivite'),
  R11: nos('TRE_R11-CiviliteExercice'),
  R211: nos('TRE_R211-ActiviteOperationnelle'),
  R213: nos('TRE_R213-ModePriseEnCharge'),
  R227: nos('TRE_R227-ChampActivite'),
  idNatPs: 'urn:oid:1.2.250.1.71.4.2.1',
};

/** Code system of the savoir-faire code, by type de savoir-faire (TRE_R04 code). */
export const SAVOIR_FAIRE_SYSTEMS: Record<string, string> = {
  S: RPPS_SYSTEMS.R38,
  C: nos('TRE_R39-Competence'),
  CEX: nos('TRE_R40-CompetenceExclusive'),
  DNQ: nos('TRE_R42-DESCnonQualifiant'),
  CAPA: nos('TRE_R43-CapaciteSavoirFaire'),
  OP: nos('TRE_G13-OrientationParticuliere'),
};
