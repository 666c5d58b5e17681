/**
 * The one error currency of the API: a FHIR OperationOutcome. Every failure is an OutcomeError carrying
 * its issues; one function maps it to an HTTP status (see server/errors.ts for the handler).
 */

export type IssueSeverity = 'fatal' | 'error' | 'warning' | 'information';
/** FHIR IssueType codes used by this server. */
export type IssueCode =
  | 'invalid'
  | 'structure'
  | 'required'
  | 'value'
  | 'invariant'
  | 'code-invalid'
  | 'not-found'
  | 'deleted'
  | 'conflict'
  | 'not-supported'
  | 'business-rule'
  | 'multiple-matches'
  | 'too-costly'
  | 'processing'
  | 'exception'
  | 'security'
  | 'forbidden'
  | 'login'
  | 'informational'
  | 'duplicate'
  | 'incomplete'
  | 'too-long';

export interface OperationOutcomeIssue {
  severity: IssueSeverity;
  code: IssueCode;
  details?: { coding?: { system: string; code: string; display?: string }[]; text?: string };
  diagnostics?: string;
  expression?: string[];
}

export interface OperationOutcome {
  resourceType: 'OperationOutcome';
  id?: string;
  issue: OperationOutcomeIssue[];
}

/** System of the stable error codes of this server (catalogue in docs/errors.md). */
export const ROR_ERROR_SYSTEM = 'https://ror.example.org/fhir/CodeSystem/ror-error';

export function issue(
  code: IssueCode,
  diagnostics: string,
  opts: { expression?: string | string[]; severity?: IssueSeverity; rule?: string } = {},
): OperationOutcomeIssue {
  const out: OperationOutcomeIssue = { severity: opts.severity ?? 'error', code, diagnostics };
  if (opts.rule) out.details = { coding: [{ system: ROR_ERROR_SYSTEM, code: opts.rule }], text: diagnostics };
  if (opts.expression !== undefined) out.expression = Array.isArray(opts.expression) ? opts.expression : [opts.expression];
  return out;
}

export function outcome(issues: OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues };
}

/** An error that reaches the client as an OperationOutcome with the given HTTP status. */
export class OutcomeError extends Error {
  readonly status: number;
  readonly outcome: OperationOutcome;
  readonly headers: Record<string, string>;

  constructor(status: number, issues: OperationOutcomeIssue[], headers: Record<string, string> = {}) {
    super(issues.map((i) => i.diagnostics).join('; '));
    this.name = 'OutcomeError';
    this.status = status;
    this.outcome = outcome(issues);
    this.headers = headers;
  }
}

// Constructors for the errors every module raises; the status follows the FHIR RESTful API rules.
export const badRequest = (diagnostics: string, expression?: string, rule?: string) =>
  new OutcomeError(400, [issue('invalid', diagnostics, { ...(expression ? { expression } : {}), ...(rule ? { rule } : {}) })]);
export const notFound = (diagnostics: string, expression?: string) =>
  new OutcomeError(404, [issue('not-found', diagnostics, expression ? { expression } : {})]);
export const gone = (diagnostics: string) => new OutcomeError(410, [issue('deleted', diagnostics)]);
export const conflict = (diagnostics: string, expression?: string) =>
  new OutcomeError(409, [issue('conflict', diagnostics, expression ? { expression } : {})]);
export const preconditionFailed = (diagnostics: string, code: IssueCode = 'conflict') =>
  new OutcomeError(412, [issue(code, diagnostics)]);
export const notSupported = (diagnostics: string, status = 400) => new OutcomeError(status, [issue('not-supported', diagnostics)]);
export const unprocessable = (issues: OperationOutcomeIssue[]) => new OutcomeError(422, issues);

export function isOutcomeError(e: unknown): e is OutcomeError {
  return e instanceof OutcomeError;
}
