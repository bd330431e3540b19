import type { GatewayConfig } from './types';

type Add = (path: string, message: string) => void;

/** As for HS256 secrets: 256 bits of key for HMAC-SHA256. */
export const ACK_LINK_KEY_MIN_LENGTH = 32;

/**
 * ingest.publicUrl must be an absolute http(s) URL without credentials, query or fragment (links
 * are built by appending to it), and it needs a key of at least 32 characters; a key without a
 * publicUrl is allowed (links stay off), and placeholders are refused with every other secret.
 */
export function checkAckLinks(cfg: GatewayConfig, add: Add): void {
  const { publicUrl, ackLinks } = cfg.ingest;
  if (ackLinks.key !== '' && ackLinks.key.length < ACK_LINK_KEY_MIN_LENGTH) {
    add('ingest.ackLinks.key', `must be at least ${ACK_LINK_KEY_MIN_LENGTH} characters; e.g. openssl rand -base64 48`);
  }
  if (publicUrl === '') return;
  let url: URL | undefined;
  try {
    url = new URL(publicUrl);
  } catch {
    add('ingest.publicUrl', 'must be an absolute URL like https://alerts.example.com (the base of ack links)');
    return;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') add('ingest.publicUrl', 'must be an http or https URL');
  if (url.username !== '' || url.password !== '') add('ingest.publicUrl', 'must not carry credentials (user:password@)');
  if (url.search !== '' || url.hash !== '') add('ingest.publicUrl', 'must not have a query or fragment: links are built by appending /ack/<token>');
  if (ackLinks.key === '') {
    add('ingest.ackLinks.key', 'is required with ingest.publicUrl: set it from the environment, e.g. key: ${ACK_LINK_KEY} (or ACK_LINK_KEY_FILE)');
  }
}
