import { COLOURS, severityColour } from '../../src/render/severity-colour';

describe('severityColour', () => {
  it('maps the common spellings, any case', () => {
    expect(severityColour('CRIT')).toBe(COLOURS.critical);
    expect(severityColour(' warn ')).toBe(COLOURS.warning);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'nonsense', undefined])(
    'gives %s the unknown colour, never something Object.prototype answers with',
    (severity) => {
      expect(severityColour(severity)).toBe(COLOURS.unknown);
    },
  );
});
