import { buildMailView } from '../../src/render/view-model';
import { payloadFromFixture } from '../support/fixtures';

describe('buildMailView', () => {
  it('shows a common label named like an Object.prototype member (constructor, toString): group labels are own keys only', () => {
    const payload = payloadFromFixture('mixed-resolved-and-firing.json');
    payload.commonLabels = { ...payload.commonLabels, constructor: 'ctor-value', toString: 'ts-value' };
    const names = buildMailView(payload, 'subject').commonLabels.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['constructor', 'toString']));
    // Labels that are group labels stay out of the common section, as before.
    for (const name of Object.keys(payload.groupLabels)) expect(names).not.toContain(name);
  });
});
