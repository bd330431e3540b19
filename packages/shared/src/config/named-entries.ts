/** Anything the directory lists by a unique name (a user, a route). */
export interface Named {
  name: string;
}

/** Puts `entry` in place of the entry of the same name, or last when there is none; true when it was added. */
export function putNamed<T extends Named>(list: T[], entry: T): boolean {
  const i = list.findIndex((e) => e.name === entry.name);
  if (i >= 0) list[i] = entry;
  else list.push(entry);
  return i < 0;
}

/** Removes the entry named `name`; false when the list has none of that name. */
export function removeNamed<T extends Named>(list: T[], name: string): boolean {
  const i = list.findIndex((e) => e.name === name);
  if (i >= 0) list.splice(i, 1);
  return i >= 0;
}
