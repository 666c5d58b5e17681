import { issue, type OperationOutcomeIssue } from '../outcome.ts';
import { isResourceType, type Resource } from '../types.ts';

/** Answers whether a code belongs to a value set (NOS JDV) — implemented by the terminology module. */
export interface CodeChecker {
  /** true/false, or undefined when the value set is not known to the server. */
  isInValueSet(valueSetUrl: string, system: string | undefined, code: string): boolean | undefined;
}

/** Validates a resource against base FHIR R4 structure and its ROR IG profile. */
export function createValidator(_codes: CodeChecker): (resource: Resource) => OperationOutcomeIssue[] {
  return (resource) => {
    if (!isResourceType(resource.resourceType)) {
      return [issue('not-supported', `Type de ressource non pris en charge : ${resource.resourceType}`, { expression: 'resourceType' })];
    }
    return [];
  };
}
