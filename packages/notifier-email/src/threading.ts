import { createHash } from 'node:crypto';
import addressparser from 'nodemailer/lib/addressparser';

/** Message-ID, In-Reply-To and References of one mail. */
export interface ThreadHeaders {
  messageId: string;
  inReplyTo: string;
  references: string;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Domain part of the From address (`Alerts <alerts@example.com>` → example.com), or a fallback. */
export function fromDomain(from: string): string {
  const parsed = addressparser(from, { flatten: true }) as Array<{ address?: string }>;
  const address = parsed.find((a) => a.address)?.address ?? '';
  const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
  return /^[a-z0-9.-]+$/.test(domain) && address.includes('@') ? domain : 'alertgw.invalid';
}

/**
 * Deterministic thread headers without any stored state. The Message-ID depends only on the task
 * (the same on every attempt, so a retry of a mail is recognisably the same mail), and includes
 * a hash of the delivery key and the task's creation time so ids do not repeat if Redis is
 * emptied and task ids restart, even for the same delivery sent again (mail servers and clients
 * drop a message whose Message-ID they have seen; the local sink would overwrite its file).
 * Every mail of a group points at one root id derived from sha256(groupKey), so clients that
 * thread by References show one thread per alert group even though the root is never sent.
 */
export function threadHeaders(input: { taskId: string; createdAt: number; deliveryKey: string; groupKey: string; from: string }): ThreadHeaders {
  const domain = fromDomain(input.from);
  const id = input.taskId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64);
  const messageId = `<alertgw.${id}.${sha256(`${input.deliveryKey}\n${input.taskId}\n${input.createdAt}`).slice(0, 16)}@${domain}>`;
  const root = `<alertgw.group.${sha256(input.groupKey).slice(0, 32)}@${domain}>`;
  return { messageId, inReplyTo: root, references: root };
}
