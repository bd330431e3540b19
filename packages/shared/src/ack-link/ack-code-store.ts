import { createHash } from 'node:crypto';
import { HandlingKeys } from '../handling/handling-keys';
import type { RedisClient } from '../queue/task-queue';

/** Characters of a short ack code: letters and digits only, which any SMS template variable takes. */
export const ACK_CODE_LENGTH = 10;
const ACK_CODE = /^[0-9A-Za-z]{10}$/;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
// A signed token is ~50 base64url characters; anything much longer was not made by AckTokenCodec.
const MAX_TOKEN_LENGTH = 512;
const TOKEN = /^[A-Za-z0-9_-]+$/;

/*
 * Why short codes: Tencent approves no link inside a template variable, so an SMS template keeps
 * the constant part of the address as approved text (`…/ack/c/{3}`) and a variable carries the
 * rest, and accounts cap a variable far below a ~50-character token. A code is 10 letters and
 * digits (~59 bits: not guessable online) standing for one signed token in Redis for as long as
 * the link lives. It adds no authority: the token it stands for is verified as any link is.
 * It is a hash of the token, so every retry and replica stores the same key.
 */

/** The code of a signed token: the first 10 base62 digits of its SHA-256. */
export function ackCodeOf(token: string): string {
  let n = BigInt(`0x${createHash('sha256').update(token).digest('hex')}`);
  let code = '';
  for (let i = 0; i < ACK_CODE_LENGTH; i++) {
    code += BASE62[Number(n % 62n)];
    n /= 62n;
  }
  return code;
}

/** Stores the token under its code for `ttlMs` and returns the code (storing it again only refreshes the TTL). */
export async function storeAckCode(redis: RedisClient, prefix: string, token: string, ttlMs: number): Promise<string> {
  if (token.length > MAX_TOKEN_LENGTH || !TOKEN.test(token)) throw new RangeError('not an ack token');
  const code = ackCodeOf(token);
  await redis.set(new HandlingKeys(prefix).ackCode(code), token, 'PX', Math.max(1, Math.ceil(ttlMs)));
  return code;
}

/** The token a code stands for, or undefined when the code is malformed, unknown or expired, or does not hash from it. */
export async function readAckCode(redis: RedisClient, prefix: string, code: string): Promise<string | undefined> {
  if (!ACK_CODE.test(code)) return undefined;
  const token = await redis.get(new HandlingKeys(prefix).ackCode(code));
  if (!token || token.length > MAX_TOKEN_LENGTH || !TOKEN.test(token)) return undefined;
  return ackCodeOf(token) === code ? token : undefined;
}
