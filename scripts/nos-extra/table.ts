/** A transcribed table of "code|display" lines (one concept per line; the display may itself hold a `|`). */
export function parseTable(text: string): [string, string][] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const bar = line.indexOf('|');
      return [line.slice(0, bar), line.slice(bar + 1)];
    });
}
