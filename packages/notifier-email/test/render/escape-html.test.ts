import ejs from 'ejs';
import fc from 'fast-check';
import { escapeHtml } from '../../src/render/escape-html';

/** What a call gives, or the error it throws (String() of an object without a prototype throws in both). */
function outcome(escape: (value: unknown) => string, value: unknown): string {
  try {
    return `value ${escape(value)}`;
  } catch (err) {
    return `throws ${(err as Error).name}`;
  }
}

const viaEjs = (value: unknown): string => ejs.escapeXML(value as string);

describe('escapeHtml', () => {
  it.each([
    ['nothing to escape', 'host-1.example'],
    ['every special character', `&<>"'`],
    ['specials at both ends', `'a & b'`],
    ['entities already there', '&amp;&lt;'],
    ['non-ASCII', 'Störung – 服务 <b>'],
    ['the empty string', ''],
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['false', false],
    ['an object', { a: 1 }],
  ])('%s: what ejs.escapeXML gives', (_name, value) => {
    expect(escapeHtml(value)).toBe(viaEjs(value));
  });

  it('what ejs.escapeXML gives for any value', () => {
    const text = fc.oneof(
      fc.string({ unit: fc.constantFrom('&', '<', '>', '"', "'", 'a', ' ', 'é', '服', '\u0000') }),
      fc.string({ unit: 'binary' }),
    );
    fc.assert(
      fc.property(fc.oneof(text, fc.anything()), (value) => {
        expect(outcome(escapeHtml, value)).toBe(outcome(viaEjs, value));
      }),
      { numRuns: 5000 },
    );
  });
});
