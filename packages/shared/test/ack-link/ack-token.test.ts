import { AckTokenCodec, type AckClaims } from '../../src/ack-link/ack-token';
import { ackGroupId } from '../../src/ack-link/ack-group-store';

const KEY = 'unit-test-ack-link-key-0123456789abcdef';
const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);
const codec = new AckTokenCodec(KEY, 'ag');
const claims = (over: Partial<AckClaims> = {}): AckClaims => ({
  subject: { kind: 'alert', fingerprint: '3f2a9c0d1e4b5a60' },
  recipient: 'alice',
  expiresAtMs: NOW + 7 * 86_400_000,
  ...over,
});

describe('AckTokenCodec', () => {
  it('round-trips alert and group links, and a hex fingerprint packs to 8 bytes', () => {
    const token = codec.sign(claims());
    // 7 header + 9 fingerprint + 6 recipient + 16 MAC = 38 bytes.
    expect(token).toHaveLength(51);
    expect(codec.verify(token, NOW)).toEqual({ ok: true, claims: claims() });
    const other = claims({ subject: { kind: 'alert', fingerprint: 'Not_Hex-fp' }, recipient: '张三' });
    expect(codec.verify(codec.sign(other), NOW)).toEqual({ ok: true, claims: other });
    const group = claims({ subject: { kind: 'group', groupId: ackGroupId(['b', 'a']) } });
    expect(codec.verify(codec.sign(group), NOW)).toEqual({ ok: true, claims: group });
    expect(ackGroupId(['a', 'b', 'a'])).toBe(ackGroupId(['b', 'a']));
  });

  it('keeps expiry to the second and refuses a link at its expiry', () => {
    const token = codec.sign(claims({ expiresAtMs: NOW + 1500 }));
    expect(codec.verify(token, NOW + 999)).toMatchObject({ ok: true, claims: { expiresAtMs: NOW + 1000 } });
    expect(codec.verify(token, NOW + 1000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('tells a tampered link from one of another key or deployment, and from garbage', () => {
    const token = codec.sign(claims());
    const bytes = Buffer.from(token, 'base64url');
    for (const at of [0, 5, 10, bytes.length - 1]) {
      const changed = Buffer.from(bytes);
      changed[at]! ^= 0x01;
      expect(codec.verify(changed.toString('base64url'), NOW)).toEqual({ ok: false, reason: 'tampered' });
    }
    // Another version is not ours to read, signed or not.
    const version = Buffer.from(bytes);
    version[0]! ^= 0x30;
    expect(codec.verify(version.toString('base64url'), NOW)).toEqual({ ok: false, reason: 'malformed' });
    expect(new AckTokenCodec('another-key-0123456789abcdef0123456789', 'ag').verify(token, NOW)).toEqual({ ok: false, reason: 'foreign' });
    expect(new AckTokenCodec(KEY, 'other').verify(token, NOW)).toEqual({ ok: false, reason: 'foreign' });
    for (const junk of ['', 'abc', 'a'.repeat(500), 'AAAA$AAAA', token.slice(0, 20)]) {
      expect(codec.verify(junk, NOW)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('signs nothing it could not read back', () => {
    expect(() => codec.sign(claims({ recipient: '' }))).toThrow(RangeError);
    expect(() => codec.sign(claims({ recipient: 'x'.repeat(256) }))).toThrow(RangeError);
    expect(() => codec.sign(claims({ subject: { kind: 'alert', fingerprint: 'a:b' } }))).toThrow(RangeError);
    expect(() => codec.sign(claims({ subject: { kind: 'group', groupId: 'short' } }))).toThrow(RangeError);
  });
});
