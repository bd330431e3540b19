/** A mail ready to go out, independent of the transport. */
export interface OutgoingMail {
  from: string;
  /** To header: every recipient of the task, so every copy of the mail looks the same. */
  to: string[];
  /** Cc header. */
  cc: string[];
  /** Who actually gets the mail in this attempt (SMTP RCPT TO): a subset of to + cc. */
  envelopeTo: string[];
  subject: string;
  html: string;
  text: string;
  messageId: string;
  inReplyTo: string;
  references: string;
  /** Extra headers (already safe: no CR/LF). */
  headers: Record<string, string>;
  attachments: Array<{ filename: string; contentType: string; content: string }>;
  /** Which mail goes first when several wait for a connection: lower first (the task's severity rank). */
  priority?: number;
}

/** One recipient the server refused. */
export interface RejectedRecipient {
  address: string;
  /** SMTP reply code, e.g. 550 or 451; absent when the transport has none. */
  responseCode?: number;
  /** The server's reply line, e.g. "550 5.1.1 mailbox unavailable". */
  response: string;
}

/** What the server said about a mail it took (maybe for only some recipients). */
export interface TransportReceipt {
  messageId: string;
  /** Final server response, e.g. "250 2.0.0 Ok: queued as 1234". Empty when nothing was sent. */
  response: string;
  accepted: string[];
  rejected: RejectedRecipient[];
}

/** One way of handing mail over (SMTP pool, HTTP gateway, local files). */
export interface MailTransport {
  /** Sends one mail; resolves with per-recipient acceptance, throws when nothing could be decided. */
  send(mail: OutgoingMail, signal: AbortSignal): Promise<TransportReceipt>;
  /** Checks connectivity/credentials once (logged at startup; never fatal). */
  verify(): Promise<void>;
  close(): void;
}
