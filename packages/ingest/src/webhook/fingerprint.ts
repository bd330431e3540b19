/**
 * What an alert fingerprint may look like: 1–64 characters of the base64url alphabet
 * (letters, digits, `_`, `-`).
 *
 * Alertmanager (and Grafana, Mimir, Cortex, which reuse its model) send 16 lowercase hex
 * digits (model.Fingerprint, a 64-bit hash printed as %016x). Demanding exactly that would
 * refuse a wider hash in a later release, a UUID or base64url id from another sender, and
 * hand-written test alerts, for no safety gained: what must stay out of a Redis key or a
 * URL is already out — no `:` (key segments), no `{}` (cluster hash tags), no `/`, `%`,
 * `.`, spaces or control characters — and 64 covers a SHA-256 in hex. Such a fingerprint
 * can still spell a fixed key's last segment ("due"), which is why every per-alert key
 * sits under a segment of its own (see alerts/alert-keys.ts). A plain class with a bounded
 * count: linear to match, no backtracking.
 */
export const FINGERPRINT_PATTERN = '^[0-9A-Za-z_-]{1,64}$';

const FINGERPRINT = new RegExp(FINGERPRINT_PATTERN);

/** True when `text` is a fingerprint the gateway will store and look up. */
export function isFingerprint(text: string): boolean {
  return FINGERPRINT.test(text);
}
