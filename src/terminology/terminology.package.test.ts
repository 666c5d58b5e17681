import { describe, expect, it } from 'vitest';
import { parsePackage } from './terminology.package.ts';
import { normalise } from './terminology.service.ts';

const CS = 'https://example.org/cs';
const base = () => ({
  format: 'ror-terminology/1',
  package: 'p',
  release: '20250101000000',
  codeSystems: [{ url: CS, name: 'CS', concepts: [['A', 'Alpha'], ['B', 'Bêta']] }],
  systemAliases: { 'https://example.org/cs-alias': CS } as Record<string, string>,
  valueSets: [{ url: 'https://example.org/vs', name: 'VS', version: '1', include: [{ system: CS, codes: ['B'] }] }],
});

describe('parsePackage', () => {
  it('accepts a consistent package', () => {
    expect(parsePackage(base()).valueSets[0]!.include[0]!.codes).toEqual(['B']);
  });

  it.each([
    ['an unknown format', (p: ReturnType<typeof base>) => Object.assign(p, { format: 'other/1' }), /format/],
    ['a malformed release', (p: ReturnType<typeof base>) => Object.assign(p, { release: '2025' }), /release/],
    ['a member absent from its code system', (p: ReturnType<typeof base>) => p.valueSets[0]!.include[0]!.codes.push('Z'), /code Z absent/],
    ['an include of an unknown system', (p: ReturnType<typeof base>) => (p.valueSets[0]!.include[0]!.system = 'https://example.org/other'), /système https:\/\/example.org\/other absent/],
    ['a duplicate code', (p: ReturnType<typeof base>) => p.codeSystems[0]!.concepts.push(['A', 'again']), /code en double/],
    ['an alias to nowhere', (p: ReturnType<typeof base>) => (p.systemAliases = { 'https://example.org/x': 'https://example.org/y' }), /alias/],
  ])('refuses %s', (_label, spoil, message) => {
    const p = base();
    spoil(p);
    expect(() => parsePackage(p)).toThrow(message);
  });
});

describe('normalise', () => {
  it.each([
    ['Précarité', 'precarite'],
    ["  L'Haÿ-les-Roses  ", 'l hay les roses'],
    ['ŒUVRE', 'oeuvre'],
    ['Hospitalisation de jour (HJ)', 'hospitalisation de jour hj'],
  ])('%s → %s', (input, expected) => {
    expect(normalise(input)).toBe(expected);
  });
});
