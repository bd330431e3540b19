import { fromDomain, threadHeaders } from '../src/threading';

const base = { taskId: '42', createdAt: 1764500000000, deliveryKey: 'd1', groupKey: '{}:{alertname="HighCPU"}', from: 'Alert Gateway <alerts@Example.COM>' };

describe('threadHeaders', () => {
  it('is deterministic per task and independent of attempts', () => {
    expect(threadHeaders(base)).toEqual(threadHeaders({ ...base }));
    expect(threadHeaders(base).messageId).toMatch(/^<alertgw\.42\.[0-9a-f]{16}@example\.com>$/);
  });

  it('gives different tasks different Message-IDs but one root per group', () => {
    const a = threadHeaders(base);
    const b = threadHeaders({ ...base, taskId: '43', deliveryKey: 'd2' });
    expect(a.messageId).not.toBe(b.messageId);
    expect(a.inReplyTo).toBe(b.inReplyTo);
    expect(a.references).toBe(a.inReplyTo);
    expect(a.inReplyTo).toMatch(/^<alertgw\.group\.[0-9a-f]{32}@example\.com>$/);
    expect(threadHeaders({ ...base, groupKey: 'other' }).inReplyTo).not.toBe(a.inReplyTo);
  });

  it('does not repeat a Message-ID when task ids restart with another delivery', () => {
    expect(threadHeaders({ ...base, deliveryKey: 'd9' }).messageId).not.toBe(threadHeaders(base).messageId);
  });

  it('does not repeat a Message-ID when task ids restart with the same delivery, created anew', () => {
    expect(threadHeaders({ ...base, createdAt: base.createdAt + 1 }).messageId).not.toBe(threadHeaders(base).messageId);
  });

  it('keeps odd task ids out of the header syntax', () => {
    expect(threadHeaders({ ...base, taskId: 'a<b>@c\r\n' }).messageId).toMatch(/^<alertgw\.a_b__c__\.[0-9a-f]{16}@example\.com>$/);
  });
});

describe('fromDomain', () => {
  it('takes the domain of the From address, with a fallback', () => {
    expect(fromDomain('alerts@mail.example.org')).toBe('mail.example.org');
    expect(fromDomain('"Ops, Team" <ops@example.net>')).toBe('example.net');
    expect(fromDomain('not an address')).toBe('alertgw.invalid');
  });
});
