import { AlertKeys, DirectoryKeys, HANDLING_QUEUE, HandlingKeys, PartKeys, QueueKeys } from '@alertgw/shared';

/** One fixed key of the layout: which class and property built it, and the key itself. */
export interface FixedKey {
  owner: 'alerts' | 'handling' | 'directory' | 'parts' | `queue:${string}`;
  name: string;
  key: string;
}

/** One builder of keys from input: its name and the text every key it builds starts with. */
export interface KeyBuilder {
  owner: FixedKey['owner'];
  name: string;
  prefix: string;
}

const SENTINEL = '\u0000';

function fixedOf(owner: FixedKey['owner'], keys: object): FixedKey[] {
  return Object.entries(keys)
    .filter(([name, value]) => typeof value === 'string' && name !== 'tag' && name !== 'base')
    .map(([name, key]) => ({ owner, name, key: key as string }));
}

function buildersOf(owner: FixedKey['owner'], keys: object): KeyBuilder[] {
  const proto = Object.getPrototypeOf(keys) as Record<string, unknown>;
  return Object.getOwnPropertyNames(proto)
    .filter((name) => name !== 'constructor' && typeof proto[name] === 'function')
    .map((name) => {
      const built = (proto[name] as (...a: string[]) => string).call(keys, SENTINEL, SENTINEL);
      return { owner, name, prefix: built.slice(0, built.indexOf(SENTINEL)) };
    });
}

/**
 * Every fixed key and every input-taking key builder of AlertKeys, HandlingKeys, DirectoryKeys
 * and the QueueKeys of `queueNames` and of the handling queue, read off the classes themselves (string properties and
 * methods), so a key added to a class is covered without editing any list.
 */
export function keyLayout(prefix: string, queueNames: readonly string[]): { fixed: FixedKey[]; builders: KeyBuilder[] } {
  const alerts = new AlertKeys(prefix);
  const handling = new HandlingKeys(prefix);
  const directory = new DirectoryKeys(prefix);
  // Alert handling's own queue sits beside the channels' under the same hash tag.
  const queues = [...new Set([...queueNames, HANDLING_QUEUE])].map((name) => [`queue:${name}` as const, new QueueKeys(prefix, name)] as const);
  const fixed = [
    ...fixedOf('alerts', alerts),
    ...fixedOf('handling', handling),
    ...fixedOf('directory', directory),
    ...queues.flatMap(([owner, keys]) => fixedOf(owner, keys)),
  ];
  const builders = [
    ...buildersOf('alerts', alerts),
    ...buildersOf('handling', handling),
    ...buildersOf('parts', new PartKeys(prefix)),
    ...queues.flatMap(([owner, keys]) => buildersOf(owner, keys)),
  ];
  return { fixed, builders };
}

/**
 * The texts a hostile sender would try as a fingerprint or name: every fixed key below its
 * hash tag, each tail of it (`alerts:ack:all`, `ack:all`, `all`) and each segment (`ack`).
 */
export function fixedKeyNames(prefix: string, queueNames: readonly string[]): string[] {
  const out = new Set<string>();
  for (const { key } of keyLayout(prefix, queueNames).fixed) {
    const segments = key.slice(key.indexOf('}:') + 2).split(':');
    segments.forEach((segment, i) => {
      out.add(segment);
      out.add(segments.slice(i).join(':'));
    });
  }
  return [...out].sort();
}
