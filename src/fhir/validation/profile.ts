/**
 * The vocabulary of the declarative ROR profile tables (one file per profile under profiles/), and the
 * pieces every profile shares: NOS URLs, the telecom pattern, the meta extensions. The engine
 * (engine.ts) walks these tables; nothing here evaluates FHIRPath.
 */

export const SD = 'https://interop.esante.gouv.fr/ig/fhir/ror/StructureDefinition/';
export const IG_CS = 'https://interop.esante.gouv.fr/ig/fhir/ror/CodeSystem/';
/** JDV value set URL: `jdv('J17-ActiviteOperationnelle-ROR')`. */
export const jdv = (name: string) => `https://mos.esante.gouv.fr/NOS/JDV_${name}/FHIR/JDV-${name}`;
/** TRE code system URL: `tre('R211-ActiviteOperationnelle')`. */
export const tre = (name: string) => `https://mos.esante.gouv.fr/NOS/TRE_${name}/FHIR/TRE-${name}`;

/** FHIR types an extension value may take (the `value[x]` suffix). */
export type ValueType =
  | 'CodeableConcept' | 'Coding' | 'code' | 'boolean' | 'integer' | 'decimal' | 'string' | 'date' | 'dateTime'
  | 'Period' | 'Range' | 'Quantity' | 'Money' | 'HumanName' | 'canonical' | 'Identifier' | 'Expression' | 'Reference';

/** A rule on one element (or on the items of a repeated element). */
export interface ElementRule {
  min?: number;
  max?: number;
  /** Required binding: every CodeableConcept/Coding/code here must be in this value set (JDV URL). */
  binding?: string;
  /** Closed list of allowed codes (for the IG's own small value sets, e.g. act-type-ror-valueset). */
  codes?: string[];
  /** Fixed (pattern) primitive value, e.g. an identifier system. */
  fixed?: string | number | boolean;
  /** Allowed target types of a Reference (narrowing the base definition). */
  refTypes?: string[];
  /** Profile of the `extension` array of this element. */
  extensions?: ExtensionRule[];
  /** Rules of the children, by JSON property name. */
  children?: Record<string, ElementRule>;
  /** Slices of a repeated element; items matching no slice are accepted with a warning. */
  slices?: SliceRule[];
  /** Items matching no slice are expected (any other `meta.tag`): accepted without the warning. */
  otherItemsExpected?: boolean;
  /** Extra rule for what tables cannot say (e.g. low ≤ high); returns French diagnostics with a relative path. */
  check?: (value: unknown) => { path?: string; diagnostics: string; code?: 'value' | 'invariant' | 'required' }[];
}

export interface SliceRule extends ElementRule {
  /** Slice name as in the IG (`careMode`). */
  name: string;
  /** Discriminator: code systems of `coding.system` (any coding of the item matches). */
  systems?: string[];
  /** Discriminator on Identifier.type / Task.input.type: code (and optionally system) of a coding. */
  typeCode?: { path: 'type'; code: string; system?: string };
  /** Extra discriminator, run after `systems`/`typeCode`. */
  where?: (item: Record<string, unknown>) => boolean;
  /** Match by value-set membership of one of the codings, when the binding's value set is known. */
  byBinding?: boolean;
}

/** A (simple or complex) extension allowed at some place, with its cardinality there. */
export interface ExtensionRule {
  /** Full canonical URL, or the bare name of a sub-extension of a complex extension (`ageRange`). */
  url: string;
  min?: number;
  max?: number;
  /** Simple extension: the allowed value[x] type(s), with the rule on the value (binding, children…). */
  value?: { type: ValueType | ValueType[]; rule?: ElementRule };
  /** Complex extension: its sub-extensions (unknown sub-extensions are rejected). */
  extensions?: ExtensionRule[];
}

/** A ROR profile: its canonical URL, resource type and the rule on the resource root. */
export interface Profile {
  url: string;
  resourceType: string;
  root: ElementRule;
}

// ---- Shared pieces ------------------------------------------------------------------------------------

export const JDV = {
  J16: jdv('J16-ActeSpecifique-ROR'),
  J17: jdv('J17-ActiviteOperationnelle-ROR'),
  J18: jdv('J18-EquipementSpecifique-ROR'),
  J19: jdv('J19-ModePriseEnCharge-ROR'),
  J20: jdv('J20-ChampActivite-ROR'),
  J26: jdv('J26-ModeGestion-ROR'),
  J27: jdv('J27-GroupeTarifaireDependance-ROR'),
  J28: jdv('J28-OuvertureAnnuelle-ROR'),
  J29: jdv('J29-PublicPrisEnCharge-ROR'),
  J30: jdv('J30-TemporaliteAccueil-ROR'),
  J31: jdv('J31-AideFinanciere-ROR'),
  J32: jdv('J32-TypeHabitation-ROR'),
  J33: jdv('J33-CompetenceSpecifique-ROR'),
  J35: jdv('J35-SpecialisationDePriseEnCharge-ROR'),
  J36: jdv('J36-TypeTarif-ROR'),
  J39: jdv('J39-ConditionTarifaire-ROR'),
  J41: jdv('J41-TypeHoraire-ROR'),
  J50: jdv('J50-AccessibiliteLieu-ROR'),
  J51: jdv('J51-FamilleActiviteOperationnelle-ROR'),
  J55: jdv('J55-CategorieEG-ROR'),
  J124: jdv('J124-Commune'),
  J185: jdv('J185-TypeFermeture-ROR'),
  J186: jdv('J186-ProfessionRessource-ROR'),
  J187: jdv('J187-NatureCapacite-ROR'),
  J188: jdv('J188-TypeStatutCapacite-ROR'),
  J189: jdv('J189-TemporaliteCapacite-ROR'),
  J190: jdv('J190-GenreCapacite-ROR'),
  J191: jdv('J191-TypeFermetureCapacite-ROR'),
  J192: jdv('J192-TypeLitSupplementaire-ROR'),
  J193: jdv('J193-TypeSourceCapacite-ROR'),
  J194: jdv('J194-TypeCrise-ROR'),
  J195: jdv('J195-AffectationTemporaire-ROR'),
  J198: jdv('J198-FonctionLieu-ROR'),
  J199: jdv('J199-StatutJuridique-ROR'),
  J200: jdv('J200-SousEnsembleAgregatStatutJuridique-ROR'),
  J201: jdv('J201-TypeFermeture-ROR'),
  J202: jdv('J202-ESPIC-ROR'),
  J203: jdv('J203-TypeOrganisationInterne-ROR'),
  J204: jdv('J204-NiveauRecoursORSAN-ROR'),
  J205: jdv('J205-UnitePrix-ROR'),
  J206: jdv('J206-PrestationNonObligatoireIncluse-ROR'),
  J208: jdv('J208-CiviliteExercice-ROR'),
  J209: jdv('J209-TypeSavoirFaire-ROR'),
  J210: jdv('J210-SpecialiteOrdinale-ROR'),
  J211: jdv('J211-CompetenceExclusive-ROR'),
  J212: jdv('J212-OrientationParticuliere-ROR'),
  J213: jdv('J213-CapaciteSavoirFaire-ROR'),
  J214: jdv('J214-QualificationPAC-ROR'),
  J215: jdv('J215-DESCnonQualifiant-ROR'),
  J216: jdv('J216-DroitExerciceCompl-ROR'),
  J217: jdv('J217-ModeExercice-ROR'),
  J220: jdv('J220-FonctionContact-ROR'),
  J221: jdv('J221-NatureContact-ROR'),
  J222: jdv('J222-NiveauConfidentialite-ROR'),
  J223: jdv('J223-TypeDivisionTerritoriale-ROR'),
  J224: jdv('J224-StatutLieu-ROR'),
  J225: jdv('J225-CanalCommunication-ROR'),
  J226: jdv('J226-ModaliteAccueil-ROR'),
  J227: jdv('J227-NiveauExpertise-ROR'),
  J228: jdv('J228-TypeCaracteristiqueEquipement-ROR'),
  J229: jdv('J229-ProfessionSante-ROR'),
  J232: jdv('J232-Competence-ROR'),
  J237: jdv('J237-RegionOM-ROR'),
  J238: jdv('J238-TypeOffre-ROR'),
  J241: jdv('J241-ThematiqueAnomalie-ROR'),
  J242: jdv('J242-ActionAnomalie-ROR'),
  J244: jdv('J244-StatutMetierAnomalie-ROR'),
  /** IG-local union of JDV_J124, J248, J237, J249, J247 (territorial division codes). */
  territorialDivisionCode: 'https://interop.esante.gouv.fr/ig/fhir/ror/ValueSet/code-region-territorial-division-ror-valueset',
} as const;

const cc = (binding: string, more: Omit<ElementRule, 'binding'> = {}) => ({ type: 'CodeableConcept' as const, rule: { binding, ...more } });

/**
 * `meta` of the ROR profiles: the `codeRegion` slice of `meta.tag` (0..1, required binding JDV_J237-RegionOM-ROR),
 * on Organization, HealthcareService, Location, Practitioner and PractitionerRole (not on Task). The IG's
 * discriminator `url` does not exist on a Coding; it is read as `system`: a tag of the TRE_R30-RegionOM system
 * (or the JDV's URL) is the region tag, and its code must be in JDV_J237. Other tags are accepted unchecked.
 * `meta.lastUpdated` (1..1) is set by the server, so it is not required on input.
 */
export const metaRule: ElementRule = {
  children: {
    tag: {
      otherItemsExpected: true,
      slices: [{ name: 'codeRegion', systems: [tre('R30-RegionOM')], max: 1, binding: JDV.J237 }],
    },
  },
};

export const metaCreationDate: ExtensionRule = { url: `${SD}ror-meta-creation-date`, min: 1, max: 1, value: { type: 'dateTime' } };
export const metaComment: ExtensionRule = { url: `${SD}ror-meta-comment`, max: 1, value: { type: 'string' } };
export const metaTemplate: ExtensionRule = {
  url: `${SD}ror-meta-questionnaire-used-as-a-template`,
  max: 1,
  value: {
    type: 'canonical',
    rule: {
      check: (v) => (typeof v === 'string' && !v.includes('|')
        ? [{ diagnostics: `Le modèle de saisie « ${v} » doit être une référence canonique versionnée « url|version »`, code: 'value' }]
        : []),
    },
  },
};

/** The telecom extensions of the ROR telecom pattern (§1.2), used on ContactPoints and in HS contacts. */
export const telecomChannel: ExtensionRule = { url: `${SD}ror-telecom-communication-channel`, min: 1, max: 1, value: cc(JDV.J225) };
export const telecomConfidentiality: ExtensionRule = { url: `${SD}ror-telecom-confidentiality-level`, min: 1, max: 1, value: cc(JDV.J222) };
export const telecomUsage: ExtensionRule = { url: `${SD}ror-telecom-usage`, max: 1, value: { type: 'string' } };

/** Every `*.telecom` of a ROR resource: channel and confidentiality level required, value required. */
export const telecomPattern: ElementRule = {
  extensions: [telecomChannel, telecomConfidentiality, telecomUsage],
  children: { value: { min: 1 } },
};

/** `ror-territorial-division` (HealthcareService zone d'intervention, Organization territoire de santé). */
export const territorialDivision: ExtensionRule = {
  url: `${SD}ror-territorial-division`,
  extensions: [
    { url: 'typeTerritorialDivision', min: 1, max: 1, value: cc(JDV.J223) },
    { url: 'codeTerritorialDivision', min: 1, max: 1, value: cc(JDV.territorialDivisionCode) },
  ],
};

/** The three extensions of a ROR `availableTime` (HealthcareService, PractitionerRole). */
export const availableTimeRule: ElementRule = {
  extensions: [
    { url: `${SD}ror-available-time-type-of-time`, max: 1, value: cc(JDV.J41) },
    { url: `${SD}ror-available-time-effective-opening-closing-date`, max: 1, value: { type: 'Period' } },
    {
      url: `${SD}ror-available-time-number-days-of-week`,
      max: 1,
      value: {
        type: 'integer',
        rule: {
          check: (v) => (typeof v === 'number' && (v < 1 || v > 7)
            ? [{ diagnostics: `Le numéro de jour de la semaine doit être compris entre 1 (lundi) et 7 (dimanche), reçu ${v}`, code: 'value' }]
            : []),
        },
      },
    },
  ],
  children: { daysOfWeek: { max: 1 } },
};

/**
 * ROR extensions of the 0.7.0 artefact list that no table places (nested in HL7 extensions, or not used by
 * the stored profiles): known, so not rejected as unknown ROR URLs, but not context-checked.
 */
export const OTHER_ROR_EXTENSIONS = [
  `${SD}ror-confidence-geolocation`,
  `${SD}ror-contact-telecom-confidentiality-level`,
  `${SD}ror-contact-telecom-usage`,
  `${SD}ror-launchcontext`,
];

export { cc as codeableValue };
