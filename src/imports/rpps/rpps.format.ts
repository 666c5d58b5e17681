/**
 * The public RPPS extract "PS_LibreAcces_Personne_activite" (Annuaire Santé, ANS): `|`-separated, one header
 * line, 56 columns and a trailing `|` on every line, one line per activity (a person × a structure × a
 * savoir-faire), no quoting. Shared by the importer (rpps.parse.ts) and the synthetic generator
 * (scripts/rpps-generate.ts). Codes are NOS codes (TRE_G15 profession, TRE_R23 mode d'exercice, TRE_R04 type
 * de savoir-faire, TRE_R38 spécialité ordinale, TRE_R02 secteur d'activité, TRE_R11 civilité d'exercice,
 * TRE_R81 civilité, TRE_R09 catégorie professionnelle).
 */

/** The 56 column names of the header, in order (shared/data/PROVENANCE.md, "RPPS"). */
export const RPPS_COLUMNS = [
  "Type d'identifiant PP",
  'Identifiant PP',
  'Identification nationale PP',
  "Code civilité d'exercice",
  'Libellé civilité exercice',
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
  'Indice répétition voie (coord. Structure)',
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
  'Code département (coord. structure)',
  'Libellé département (coord. structure)',
  'Ancien identifiant de la structure',
  "Autorité d'enregistrement",
  "Code secteur d'activité",
  "Libellé secteur d'activité",
  'Code section tableau pharmaciens',
  'Libellé section tableau pharmaciens',
  'Code fonction',
  'Libellé fonction',
  "Code genre d'activité",
  "Libellé genre d'activité",
] as const;

/** The header line as the extract writes it: the names joined by `|`, with a trailing `|`. */
export const RPPS_HEADER = `${RPPS_COLUMNS.join('|')}|`;

/** Short names of the columns the importer reads (index in RPPS_COLUMNS). */
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
  function: 52,
  activityKind: 54,
} as const;

/**
 * The 11 liberal professions the ROR takes from RPPS (TRE_G15-ProfessionSante codes, checked against
 * ansforge/IG-NOS JDV_J229-ProfessionSante-ROR), each with the activité opérationnelle (TRE_R211, JDV_J17) of
 * the cabinet's offer when the savoir-faire says nothing more precise.
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
 * Spécialités ordinales (TRE_R38, savoir-faire of type `S`) → activité opérationnelle (TRE_R211) of the offer.
 * A médecin's or dentist's offer follows the specialty; a specialty missing here is reported (the role is not
 * guessed onto general medicine). Extend the table to cover more specialties.
 */
export const SPECIALTY_ACTIVITY: Record<string, string> = {
  SM54: '437', // Médecine générale → Médecine générale
  SM04: '013', // Cardiologie et maladies vasculaires → Cardiologie générale
  SM20: '053', // Gynécologie-obstétrique → Gynécologie médicale
  SM48: '131', // Rhumatologie → Rhumatologie
  SCD01: '104', // Orthopédie dento-faciale → Orthodontie ou orthopédie dento-faciale
  SCD03: '441', // Médecine bucco-dentaire → Médecine bucco-dentaire
  SI01: '287', // IPA pathologies chroniques stabilisées → Soins techniques infirmiers
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
