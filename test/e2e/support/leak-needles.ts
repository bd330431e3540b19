/** One form of a secret or phone number that must never show up in what the gateway says. */
export interface Needle {
  /** What it is, e.g. "smtpPassword (base64)"; never the value itself, so a failure report leaks nothing. */
  what: string;
  text: string;
}

/** A leak found: which needle, in which captured output. */
export interface Leak {
  needle: string;
  where: string;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

/**
 * The forms each secret and phone number may take on its way out: plain, URL-encoded, base64
 * and base64url (a standalone value), "user:pass" in base64 as in Basic auth, "\0user\0pass"
 * as in SMTP AUTH PLAIN, and a phone's digits without "+" (which also covers "%2B…").
 */
export function leakNeedles(input: {
  secrets: Record<string, string>;
  credentials: Array<{ name: string; user: string; pass: string }>;
  phones: string[];
}): Needle[] {
  const needles: Needle[] = [];
  for (const [name, value] of Object.entries(input.secrets)) {
    needles.push(
      { what: `${name} (plain)`, text: value },
      { what: `${name} (url-encoded)`, text: encodeURIComponent(value) },
      { what: `${name} (base64)`, text: b64(value) },
      { what: `${name} (base64url)`, text: b64url(value) },
    );
  }
  for (const c of input.credentials) {
    needles.push(
      { what: `${c.name} (basic user:pass base64)`, text: b64(`${c.user}:${c.pass}`) },
      { what: `${c.name} (AUTH PLAIN base64)`, text: b64(`\0${c.user}\0${c.pass}`) },
    );
  }
  for (const [i, phone] of input.phones.entries()) {
    needles.push({ what: `phone #${i} (digits)`, text: phone.replace(/^\+/, '') }, { what: `phone #${i} (base64)`, text: b64(phone) });
  }
  // A needle equal to its plain form adds nothing; duplicates would only repeat a report line.
  const seen = new Set<string>();
  return needles.filter((n) => !seen.has(n.text) && seen.add(n.text));
}

/** Every needle found in every captured output, by name only. */
export function findLeaks(captured: ReadonlyArray<{ where: string; text: string }>, needles: readonly Needle[]): Leak[] {
  const leaks: Leak[] = [];
  for (const c of captured) for (const n of needles) if (c.text.includes(n.text)) leaks.push({ needle: n.what, where: c.where });
  return leaks;
}
