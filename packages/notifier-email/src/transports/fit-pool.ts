import type SMTPPool from 'nodemailer/lib/smtp-pool';

/** What fitPoolTo reads of nodemailer's pool (SMTPPool; `_connections` is internal, hence the checks). */
interface PoolInternals {
  options: SMTPPool.Options;
  _connections?: Array<{ available?: boolean; close?: () => void }>;
}

/**
 * Keeps a pool within `connections`: it opens no more (nodemailer opens one whenever none is
 * free, even while a free one is only about to be, and with a budget that extra connection would
 * wait for a permit only the replica's own busy connections can free), and it closes free ones
 * beyond that (after a 421, or when this replica's share shrank), so the server and the other
 * replicas see the connections go.
 */
export function fitPoolTo(transporter: { transporter: unknown }, connections: number): void {
  const pool = transporter.transporter as unknown as PoolInternals;
  pool.options.maxConnections = connections;
  const open = Array.isArray(pool._connections) ? pool._connections : [];
  let surplus = open.length - connections;
  for (let i = open.length - 1; i >= 0 && surplus > 0; i--) {
    if (open[i].available && typeof open[i].close === 'function') {
      open[i].close!();
      surplus--;
    }
  }
}
