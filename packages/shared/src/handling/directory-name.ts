/**
 * What a user, group or route name may look like: 1–128 characters, letters (any script,
 * so 张三 and zhangsan alike), digits, combining marks and `. _ @ + -`, starting with a letter,
 * digit or `_`. Names appear in API paths (/api/v1/users/:name…) and in notify targets, so
 * no `/`, `:`, spaces, quotes or control characters. One plain class with a bounded count:
 * linear to match. The config file's schema uses it too, so every configured name is one the
 * API can address.
 */
export const DIRECTORY_NAME_PATTERN = '^[\\p{L}\\p{N}_][\\p{L}\\p{N}\\p{M}._@+-]{0,127}$';

const NAME = new RegExp(DIRECTORY_NAME_PATTERN, 'u');

/** True when `text` is a valid user, group or route name. */
export function isDirectoryName(text: string): boolean {
  return NAME.test(text);
}
