import type { ReceivedMail } from '../../../packages/notifier-email/test/support/smtp-test-server';
import type { FakeDelivery } from '../../../packages/notifier-sms/test/support/fake-tencent';

/** A channel the ledger counts. */
export type ReceiptChannel = 'email' | 'sms';

/** One message a provider accepted for one recipient. */
export interface Receipt {
  channel: ReceiptChannel;
  /** The alert group's unique alertname. */
  group: string;
  recipient: string;
  /** The queue task that sent it (from the Message-ID, or the SMS SessionContext). */
  taskId: string;
  /** ms epoch when the provider accepted it. */
  at: number;
}

const GROUP = /ChaosG\d{5}/;
/** notifier-email's Message-ID is `<alertgw.<taskId>.<hash>@domain>` (threading.ts). */
const TASK_OF_MESSAGE_ID = /^<alertgw\.([0-9]+)\./;

/**
 * Everything the in-process SMTP server and the fake Tencent received, counted per
 * (channel, group, recipient): what was delivered, what is missing, what came twice.
 * Reads the providers' arrays incrementally, so polling it while thousands arrive is cheap.
 */
export class ReceiptLedger {
  private readonly byKey = new Map<string, Receipt[]>();
  private mailsRead = 0;
  private smsRead = 0;
  private unreadable: string[] = [];

  /**
   * `mails` and `mailTimes` grow together: mailTimes[i] is when mails[i] ended its DATA (the
   * server's onData hook, which runs in the same order the mails are pushed).
   */
  constructor(
    private readonly mails: ReceivedMail[],
    private readonly mailTimes: number[],
    private readonly sms: FakeDelivery[],
  ) {}

  /** Takes in what arrived since the last call; returns the number of distinct keys delivered so far. */
  update(): number {
    for (; this.mailsRead < this.mails.length; this.mailsRead++) {
      const mail = this.mails[this.mailsRead];
      const group = GROUP.exec(mail.raw)?.[0];
      const taskId = TASK_OF_MESSAGE_ID.exec(mail.messageId)?.[1];
      if (!group || !taskId) {
        this.unreadable.push(`mail ${mail.messageId}`);
        continue;
      }
      for (const rcpt of mail.rcptTo) this.add({ channel: 'email', group, recipient: rcpt.toLowerCase(), taskId, at: this.mailTimes[this.mailsRead] });
    }
    for (; this.smsRead < this.sms.length; this.smsRead++) {
      const d = this.sms[this.smsRead];
      const group = GROUP.exec(d.params.join(' '))?.[0];
      if (!group || !d.sessionContext) {
        this.unreadable.push(`SMS ${d.serialNo}`);
        continue;
      }
      this.add({ channel: 'sms', group, recipient: d.phone, taskId: d.sessionContext, at: d.at });
    }
    return this.byKey.size;
  }

  /** Messages that named no chaos group or task: none are expected. */
  get unparsed(): string[] {
    return this.unreadable;
  }

  /** Receipts of one key, in arrival order (empty when nothing arrived). */
  receipts(channel: ReceiptChannel, group: string, recipient: string): Receipt[] {
    return this.byKey.get(key(channel, group, recipient)) ?? [];
  }

  /** Every key received more than once, with all its receipts in arrival order. */
  duplicates(): Receipt[][] {
    return [...this.byKey.values()].filter((r) => r.length > 1);
  }

  /** Number of messages received, per channel. */
  total(channel: ReceiptChannel): number {
    let n = 0;
    for (const r of this.byKey.values()) if (r[0].channel === channel) n += r.length;
    return n;
  }

  private add(r: Receipt): void {
    const k = key(r.channel, r.group, r.recipient);
    const list = this.byKey.get(k);
    if (list) list.push(r);
    else this.byKey.set(k, [r]);
  }
}

function key(channel: ReceiptChannel, group: string, recipient: string): string {
  return `${channel}|${group}|${recipient}`;
}
