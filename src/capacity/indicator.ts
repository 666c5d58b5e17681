/**
 * Business rules of the capacity indicators of a Location (`ror-location-supported-capacity`), beyond what the
 * profile checks (cardinalities, bindings): the rules the national capacity flow applies to every write
 * (digest §2; ROR-fhir-documentation `patch-capacitaire/location.md`).
 *
 * - An indicator is identified by its qualifiers: capacityStatus, temporalityCapacity, genderCapacityAvailable,
 *   capacityClosingType, additionalBedType, crisisType and temporaryAssignement (the national server's error
 *   message lists exactly these). A Location holds each indicator once: a second record of the same indicator
 *   would make every later `replace` or `delete` of it ambiguous, so a bed-management feed could never update it.
 * - The qualifiers that refine a status only go with that status: capacityClosingType with 05 Fermé,
 *   additionalBedType and crisisType with 06 Supplémentaire (the IG's capacity model: occupied, closed, crisis and
 *   additional beds are separate records distinguished by their status).
 *
 * The national list of valid indicators is not public (open question, docs/decisions.md): these rules are the
 * ones the IG itself states.
 */
import { issue, type OperationOutcomeIssue } from '../fhir/outcome.ts';
import type { Resource } from '../fhir/types.ts';
import { supportedCapacity } from '../fhir/validation/profiles/location.ts';

/** The qualifiers that identify an indicator, in the order the national server names them. */
export const INDICATOR_KEYS = ['capacityStatus', 'temporalityCapacity', 'genderCapacityAvailable', 'capacityClosingType', 'additionalBedType', 'crisisType', 'temporaryAssignement'] as const;

/** Qualifier → the only capacityStatus it may go with. */
const STATUS_OF_QUALIFIER: Record<string, { status: string; label: string }> = {
  capacityClosingType: { status: '05', label: 'Fermé' },
  additionalBedType: { status: '06', label: 'Supplémentaire' },
  crisisType: { status: '06', label: 'Supplémentaire' },
};

interface Extension {
  url?: string;
  extension?: Extension[];
  valueCodeableConcept?: { coding?: { code?: string }[] };
}

/** The code of a qualifier sub-extension (first coding), null when absent. */
function qualifier(indicator: Extension, url: string): string | null {
  const sub = indicator.extension?.find((x) => x.url === url);
  return sub?.valueCodeableConcept?.coding?.find((c) => typeof c.code === 'string')?.code ?? null;
}

/** `capacityStatus: 02 / temporalityCapacity: 01 / …`, as the national server writes an indicator. */
export function describeIndicator(indicator: Extension): string {
  return INDICATOR_KEYS.map((k) => `${k}: ${qualifier(indicator, k) ?? 'null'}`).join(' / ');
}

/** The problems of a resource's capacity indicators (none for other types than Location). */
export function capacityProblems(resource: Resource): OperationOutcomeIssue[] {
  if (resource.resourceType !== 'Location' || !Array.isArray(resource.extension)) return [];
  const problems: OperationOutcomeIssue[] = [];
  const seen = new Map<string, number>();
  (resource.extension as Extension[]).forEach((ext, i) => {
    if (!ext || ext.url !== supportedCapacity.url) return;
    const at = `Location.extension[${i}]`;
    const status = qualifier(ext, 'capacityStatus');
    for (const [url, rule] of Object.entries(STATUS_OF_QUALIFIER)) {
      const code = qualifier(ext, url);
      if (code === null || status === null || status === rule.status) continue;
      const k = ext.extension!.findIndex((x) => x.url === url);
      problems.push(
        issue('business-rule', `Les valeurs du nouvel objet ne correspondent pas à un indicateur valide : ${url} (${code}) ne qualifie que le statut ${rule.status} ${rule.label}, le statut est ${status} (${describeIndicator(ext)})`, {
          expression: `${at}.extension[${k}]`,
          rule: 'capacity-indicator-invalid',
        }),
      );
    }
    const key = INDICATOR_KEYS.map((k) => qualifier(ext, k) ?? '').join('|');
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else {
      problems.push(
        issue('business-rule', `L'indicateur capacitaire ${describeIndicator(ext)} figure déjà dans Location.extension[${first}] : un lieu porte chaque indicateur une seule fois (mettre à jour par « replace »)`, {
          expression: at,
          rule: 'capacity-indicator-duplicate',
        }),
      );
    }
  });
  return problems;
}
