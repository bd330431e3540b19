import { CONFIG_SCHEMA } from '../../src/config/schema';
import { isDirectoryName } from '../../src/handling/directory-name';
import { HANDLING_QUEUE } from '../../src/handling/handling-keys';
import { fixedKeyNames, keyLayout } from '@alertgw/testkit';
import { isFingerprint } from '../../src/webhook/fingerprint';

// The queues are the channels the config schema knows.
const CHANNELS = Object.keys((CONFIG_SCHEMA as unknown as { properties: { channels: { properties: object } } }).properties.channels.properties);
const { fixed, builders } = keyLayout('ag', CHANNELS);

describe('Redis key layout', () => {
  it('finds the layout it checks (fixed keys and builders of every class)', () => {
    expect(CHANNELS).toEqual(expect.arrayContaining(['email', 'sms']));
    expect(fixed.map((k) => k.key)).toEqual(expect.arrayContaining(['{ag}:alerts:ack:all', '{ag}:handling:delayed', '{ag}:alerts:idx:all', '{ag}:email:pending']));
    expect(builders.map((b) => `${b.owner}.${b.name}`)).toEqual(
      expect.arrayContaining(['alerts.record', 'handling.escalation', 'handling.suppressed', 'queue:sms.task', 'queue:sms.sendBudget', 'queue:handling.task']),
    );
  });

  it.each(builders.map((b) => [`${b.owner}.${b.name}`, b.prefix]))('no input given to %s can build a fixed key', (_name, prefix) => {
    expect(fixed.filter((k) => k.key.startsWith(prefix)).map((k) => k.key)).toEqual([]);
  });

  it('no two builders share a namespace, so inputs of one kind never land on keys of another', () => {
    for (const a of builders) {
      for (const b of builders) if (a !== b) expect(`${a.owner}.${a.name} ${b.prefix.startsWith(a.prefix)}`).toBe(`${a.owner}.${a.name} false`);
    }
  });

  it('every fixed key is distinct, and no queue shares the alert records namespace', () => {
    expect(new Set(fixed.map((k) => k.key)).size).toBe(fixed.length);
    const alertsBase = '{ag}:alerts:';
    for (const name of [...CHANNELS, HANDLING_QUEUE]) expect(`{ag}:${name}:`).not.toBe(alertsBase);
  });

  it('a fingerprint or directory name can spell a fixed key name but never a key path (no ":")', () => {
    const names = fixedKeyNames('ag', CHANNELS);
    expect(names).toEqual(expect.arrayContaining(['delayed', 'ack:all', 'handling:delayed', 'alerts:ack:all']));
    for (const n of names) {
      expect(isFingerprint(n)).toBe(!n.includes(':'));
      expect(isDirectoryName(n)).toBe(!n.includes(':'));
    }
  });
});
