/** The origin of a URL (scheme, host, port): what errors and logs may quote of an endpoint. */
export function urlOrigin(url: string): string {
  try {
    const { origin } = new URL(url);
    // Non-special schemes (redis:) have an opaque origin; rebuild it from its parts.
    if (origin !== 'null') return origin;
    const { protocol, host } = new URL(url);
    return host ? `${protocol}//${host}` : '(unparsable URL)';
  } catch {
    return '(unparsable URL)';
  }
}

/**
 * A URL fit for a log line: the password (or a lone user part, which may be a token) replaced
 * by ***, the user name of `user:password@` and the path kept, the query dropped. Everything up
 * to the last "@" counts as credentials, so a password holding "@" or "/" cannot leak half of itself.
 */
export function redactUrl(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(.*)$/is.exec(url);
  if (!m) return '(unparsable URL)';
  const scheme = m[1]!;
  const rest = m[2]!;
  const at = rest.lastIndexOf('@');
  const userinfo = at < 0 ? undefined : rest.slice(0, at);
  const colon = userinfo?.indexOf(':') ?? -1;
  const shown = userinfo === undefined ? '' : colon >= 0 ? `${userinfo.slice(0, colon)}:***@` : '***@';
  try {
    const { host, pathname } = new URL(`${scheme}${rest.slice(at + 1)}`);
    return `${scheme}${shown}${host}${pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}
