/**
 * Rewrites `extension.where(url = 'u')` as `extension('u')`, which FHIR defines as its shortcut
 * (https://hl7.org/fhir/R4/fhirpath.html#functions): same result, and fhirpath.js evaluates it 3 to 5 times
 * faster than the `where` macro (9 µs instead of 26 µs for a sub-extension value), which made most of the
 * CPU of a Location write. Used by the search indexer and by FHIRPath Patch paths (the national capacity flow
 * addresses indicators as `extension.where(url=…)`). Checked against the original expressions in
 * search.indexer.test.ts and by the patch tests.
 */
export function withExtensionShortcut(expression: string): string {
  return expression.replace(/\bextension\.where\(\s*url\s*=\s*'([^']*)'\s*\)/g, (_, url: string) => `extension('${url}')`);
}
