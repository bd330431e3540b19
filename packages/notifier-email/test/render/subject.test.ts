import { cleanSubject, defaultSubject, MAX_SUBJECT_LENGTH } from '../../src/render/subject';
import { payloadFromFixture } from '../support/fixtures';

describe('defaultSubject', () => {
  it('counts firing alerts and lists group labels other than alertname', () => {
    expect(defaultSubject(payloadFromFixture('firing-truncated-basic-auth.json'))).toBe('[FIRING:3] MySQLReplicationLag (cluster=prod-sh)');
    // One of the two alerts is already resolved: only the firing one is counted.
    expect(defaultSubject(payloadFromFixture('mixed-resolved-and-firing.json'))).toBe('[FIRING:1] HighCPU (cluster=prod-bj)');
  });

  it('says RESOLVED without a count for a resolved group', () => {
    const p = payloadFromFixture('mixed-resolved-and-firing.json');
    p.status = 'resolved';
    p.alerts = p.alerts.map((a) => ({ ...a, status: 'resolved' as const }));
    expect(defaultSubject(p)).toBe('[RESOLVED] HighCPU (cluster=prod-bj)');
  });

  it('works without alertname in the group labels and without group labels', () => {
    const p = payloadFromFixture('firing-one-alert-bearer.json');
    p.groupLabels = { cluster: 'prod-bj' };
    expect(defaultSubject(p)).toBe('[FIRING:1] DiskWillFillIn4h (cluster=prod-bj)');
    p.groupLabels = {};
    p.commonLabels = {};
    p.alerts = p.alerts.map((a) => ({ ...a, labels: { instance: 'x' } }));
    expect(defaultSubject(p)).toBe('[FIRING:1]');
  });

  it('strips CR/LF from label values (header injection)', () => {
    const p = payloadFromFixture('firing-one-alert-bearer.json');
    p.groupLabels = { alertname: 'Disk\r\nBcc: victim@example.com', cluster: 'a\nb' };
    const subject = defaultSubject(p);
    expect(subject).not.toMatch(/[\r\n]/);
    expect(subject).toBe('[FIRING:1] Disk Bcc: victim@example.com (cluster=a b)');
  });
});

describe('cleanSubject', () => {
  it('removes control characters and collapses whitespace', () => {
    expect(cleanSubject(' a\r\n\tb\u0000c\u2028d  ')).toBe('a b c d');
  });

  it('cuts long subjects with an ellipsis, counting characters not UTF-16 units', () => {
    const long = cleanSubject('告警'.repeat(300));
    expect(Array.from(long)).toHaveLength(MAX_SUBJECT_LENGTH);
    expect(long.endsWith('…')).toBe(true);
    expect(cleanSubject('short')).toBe('short');
  });
});
