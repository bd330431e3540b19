import { Socket } from 'node:net';
import { GatewayError, type SendErrorDetails } from '@alertgw/shared';
import type { ConnectionBudget } from './connection-budget';
import type { connectWithoutNagle, SocketCallback } from './smtp';

/**
 * nodemailer's getSocket hook behind a permit of the shared connection budget: the connection
 * starts once the budget grants one, and gives it back when it has closed. A permit whose lease
 * was lost (this process stalled past it) closes its connection: another may have its place.
 * Without a permit nodemailer still gets a socket, one that fails at once with the budget's
 * reason (`budgetCode`, read by classifySmtpError): an error handed to getSocket's callback
 * would leave the pool counting a connection that never existed, for good.
 */
export function connectWithPermit(budget: ConnectionBudget, connect: ReturnType<typeof connectWithoutNagle>) {
  return (options: unknown, callback: SocketCallback): void => {
    budget.acquire().then(
      (permit) =>
        connect(options, (err, socketOptions) => {
          if (err || !socketOptions) {
            permit.release();
            return callback(err);
          }
          const socket = socketOptions.connection;
          socket.once('close', () => permit.release());
          permit.onLost = () => socket.destroy(Object.assign(new Error('connection budget lease lost'), { budgetCode: 'EBUDGET' }));
          callback(null, socketOptions);
        }),
      (err: unknown) => {
        const socket = new Socket();
        callback(null, { connection: socket });
        const code = err instanceof GatewayError ? (err.details as SendErrorDetails | undefined)?.providerCode : undefined;
        setImmediate(() => socket.destroy(Object.assign(new Error(err instanceof Error ? err.message : String(err)), { budgetCode: code ?? 'EBUDGET' })));
      },
    );
  };
}
