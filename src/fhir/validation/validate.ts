import { issue, type OperationOutcomeIssue } from '../outcome.ts';
import { isResourceType, type Resource, type ResourceType } from '../types.ts';
import { Run } from './engine.ts';
import type { ExtensionRule, ElementRule, Profile } from './profile.ts';
import { OTHER_ROR_EXTENSIONS, SD } from './profile.ts';
import { ACT_TYPE_URL, healthcareServiceProfile } from './profiles/healthcareservice.ts';
import { locationProfile } from './profiles/location.ts';
import { organizationProfile } from './profiles/organization.ts';
import { practitionerProfile } from './profiles/practitioner.ts';
import { practitionerRoleProfile } from './profiles/practitionerrole.ts';
import { taskProfile } from './profiles/task.ts';

/** Answers whether a code belongs to a value set (NOS JDV) — implemented by the terminology module. */
export interface CodeChecker {
  /** true/false, or undefined when the value set is not known to the server. */
  isInValueSet(valueSetUrl: string, system: string | undefined, code: string): boolean | undefined;
}

/** The ROR profile each stored resource type is validated against (IG 0.7.0). */
export const PROFILES: Record<ResourceType, Profile> = {
  Organization: organizationProfile,
  HealthcareService: healthcareServiceProfile,
  Location: locationProfile,
  Practitioner: practitionerProfile,
  PractitionerRole: practitionerRoleProfile,
  Task: taskProfile,
};

/** Every extension URL of the ROR namespace that some profile table defines. */
export const KNOWN_ROR_EXTENSIONS: ReadonlySet<string> = (() => {
  const out = new Set<string>([ACT_TYPE_URL, ...OTHER_ROR_EXTENSIONS]);
  const fromExtensions = (list: ExtensionRule[] | undefined) => {
    for (const e of list ?? []) {
      if (e.url.startsWith(SD)) out.add(e.url);
      fromExtensions(e.extensions);
      if (e.value?.rule) fromRule(e.value.rule);
    }
  };
  const fromRule = (r: ElementRule) => {
    fromExtensions(r.extensions);
    for (const c of Object.values(r.children ?? {})) fromRule(c);
    for (const s of r.slices ?? []) fromRule(s);
  };
  for (const p of Object.values(PROFILES)) fromRule(p.root);
  return out;
})();

/**
 * Validates a resource against base FHIR R4 structure and its ROR IG profile. Returns every problem found
 * (errors, and warnings such as codes of value sets this server does not hold); no issue means valid.
 */
export function createValidator(codes: CodeChecker): (resource: Resource) => OperationOutcomeIssue[] {
  return (resource) => {
    if (!isResourceType(resource.resourceType)) {
      return [issue('not-supported', `Type de ressource non pris en charge : ${resource.resourceType}`, { expression: 'resourceType' })];
    }
    const run = new Run(codes, KNOWN_ROR_EXTENSIONS);
    const res = resource as Record<string, unknown>;
    run.resource(res, resource.resourceType);
    run.profile(res, PROFILES[resource.resourceType]);
    return dedupe(run.issues);
  };
}

/** One issue per problem: the base and profile passes may both see the same fault at the same place. */
function dedupe(issues: OperationOutcomeIssue[]): OperationOutcomeIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.code}|${i.expression?.join(',') ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
