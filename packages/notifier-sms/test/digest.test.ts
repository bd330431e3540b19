import { digestPayload, digestSentence, digestView } from '../src/digest';
import type { DigestSnapshot } from '../src/storm-control';
import { smsPayload } from './support/harness';

const snap = (over: Partial<DigestSnapshot> = {}): DigestSnapshot => ({
  gen: 0,
  count: 12,
  firing: 12,
  resolved: 0,
  latest: { what: 'DiskFull (db-3)', alertname: 'DiskFull', severity: 'critical' },
  rank: 0,
  firstAt: 0,
  items: [],
  by: '7',
  at: 0,
  ...over,
});

describe('storm digest', () => {
  it('says how many alerts it stands for and which came last', () => {
    expect(digestSentence(snap())).toBe('12 more alerts firing, latest: DiskFull (db-3); see mail');
    expect(digestSentence(snap({ count: 2, firing: 1, resolved: 1 }))).toBe('1 more alert firing, 1 resolved, latest: DiskFull (db-3); see mail');
  });

  it('gives templates the same fields as a group', () => {
    expect(digestView(snap())).toMatchObject({ status: 'firing', alertname: 'DiskFull', count: 12, merged: 12, digest: true });
  });

  it('is a valid one-recipient notification payload', () => {
    const p = digestPayload(smsPayload(['+8613900000000', '+8613900000001']), '+8613900000001', 3, new Date(0));
    expect(p.recipients).toEqual([{ name: 'user1', address: '+8613900000001', rules: ['storm-control'] }]);
    expect(p.digest).toEqual({ phone: '+8613900000001', gen: 3 });
    expect(p.alerts).toEqual([]);
  });
});
