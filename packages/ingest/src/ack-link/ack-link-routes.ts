import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ejs from 'ejs';
import express, { type Request, type Response, type Router } from 'express';
import { ACK_PATH, AckTokenCodec, ackLinkPath, GatewayError, readAckCode, readAckGroup } from '@alertgw/shared';
import type { AckClaims, AckLinkSettings, AckTokenRefusal, Logger, RedisClient } from '@alertgw/shared';
import type { AlertActions } from '../handling/alert-actions';
import { ackable, alertsPage, messagePage, readAlertStates, summaryNotice, type AckAlertState, type AckPageView, type PageNotice } from './ack-page-view';

/** The silences the page offers (when alertmanager.url is set). */
export const SILENCE_CHOICES = ['1h', '4h'];

/** What the ack link routes need. */
export interface AckLinkRouteDeps {
  settings: AckLinkSettings;
  redis: RedisClient;
  actions: AlertActions;
  /** Whether acks can create silences (alertmanager.url is set). */
  canSilence: boolean;
  /** False while the handling runtime starts: the page answers 503 then. */
  ready?: () => boolean;
  logger: Logger;
  now?: () => number;
}

// The page is a capability in a URL: nothing may cache it, frame it (a hidden Ack button under
// someone's tap), or leak its address through a Referer; it loads nothing but its own styles.
const PAGE_HEADERS: Record<string, string> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

const REFUSALS: Record<AckTokenRefusal | 'group-gone' | 'code-unknown', { status: number; text: string }> = {
  malformed: { status: 400, text: 'This is not an ack link alertgw made: it may have been cut off when it was copied. Open the link from the notification again.' },
  tampered: { status: 403, text: 'This link has been altered: its signature does not match. It acks nothing.' },
  foreign: { status: 403, text: 'This link was signed by another alertgw deployment, or with a key this one no longer uses (the key was rotated). It acks nothing here.' },
  expired: { status: 410, text: 'This link has expired. Ack the alert from a newer notification, or with alertctl.' },
  'group-gone': { status: 410, text: 'The alert group this link names is no longer stored (the link outlived it). Ack from a newer notification, or with alertctl.' },
  'code-unknown': { status: 410, text: 'This short link is unknown or has expired. Ack the alert from a newer notification, or with alertctl.' },
};

/**
 * GET <publicUrl path>/ack/<token> shows the alerts a signed link names, their state and who
 * acked them, with an Ack button; POST to the same address acks them as the link's recipient,
 * through the same AlertActions.ack as the API (escalation tiers cancelled, optional silence,
 * `via: link` in the timeline). A GET never writes: mail scanners that fetch links ack nothing.
 * The POST needs the signed token itself (it is the address), so another site cannot forge one
 * without having the link; an Origin from elsewhere is refused all the same.
 */
export function ackLinkRoutes(deps: AckLinkRouteDeps): Router {
  const { settings } = deps;
  const codec = new AckTokenCodec(settings.key, settings.prefix);
  const now = deps.now ?? Date.now;
  const template = ejs.compile(readFileSync(join(__dirname, 'templates', 'ack-page.ejs'), 'utf8'), { strict: true, localsName: 'it', async: false });
  const origin = new URL(settings.baseUrl).origin;
  const path = `${ackLinkPath(settings)}/:token`;
  const router = express.Router();

  const send = (res: Response, status: number, view: AckPageView) => {
    res.status(status).set(PAGE_HEADERS).send(template(view));
  };
  const refuse = (res: Response, reason: keyof typeof REFUSALS) => send(res, REFUSALS[reason].status, messagePage('Link refused', { tone: 'error', text: REFUSALS[reason].text }));

  /** True after answering 503 while the handling runtime starts. */
  const starting = (res: Response): boolean => {
    if (!deps.ready || deps.ready()) return false;
    res.setHeader('Retry-After', '5');
    send(res, 503, messagePage('Starting', { tone: 'warn', text: 'alertgw is starting; try again in a few seconds.' }));
    return true;
  };

  /** The verified claims and the alerts' fingerprints, or undefined after answering the refusal. */
  const open = async (req: Request, res: Response): Promise<{ claims: AckClaims; fingerprints: string[] } | undefined> => {
    if (starting(res)) return undefined;
    const check = codec.verify(String(req.params.token), now());
    if (!check.ok) {
      refuse(res, check.reason);
      return undefined;
    }
    const { subject } = check.claims;
    if (subject.kind === 'alert') return { claims: check.claims, fingerprints: [subject.fingerprint] };
    const fingerprints = await readAckGroup(deps.redis, settings.prefix, subject.groupId);
    if (!fingerprints) {
      refuse(res, 'group-gone');
      return undefined;
    }
    return { claims: check.claims, fingerprints };
  };

  const page = (claims: AckClaims, alerts: AckAlertState[], token: string, notices?: PageNotice[]) =>
    alertsPage({
      alerts,
      recipient: claims.recipient,
      expiresAtMs: claims.expiresAtMs,
      action: `${settings.baseUrl}/${ACK_PATH}/${token}`,
      silences: deps.canSilence ? SILENCE_CHOICES : [],
      notices,
    });

  // A short code (an SMS whose template variables cannot hold a token) leads to its signed link,
  // which is then verified like any other: the code adds no authority of its own.
  router.get(`${ackLinkPath(settings)}/c/:code`, async (req, res) => {
    if (starting(res)) return;
    const token = await readAckCode(deps.redis, settings.prefix, String(req.params.code));
    if (!token) return refuse(res, 'code-unknown');
    res.status(303).set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }).location(`${settings.baseUrl}/${ACK_PATH}/${token}`).end();
  });

  router.get(path, async (req, res) => {
    const link = await open(req, res);
    if (!link) return;
    const alerts = await readAlertStates(deps.redis, settings.prefix, link.fingerprints);
    send(res, 200, page(link.claims, alerts, String(req.params.token)));
  });

  router.post(path, express.urlencoded({ extended: false, limit: '2kb', parameterLimit: 5 }), async (req, res) => {
    const from = req.get('origin');
    if ((from !== undefined && from !== origin) || req.get('sec-fetch-site') === 'cross-site') {
      send(res, 403, messagePage('Refused', { tone: 'error', text: 'This ack came from another site. Open the link from your notification and press Ack there.' }));
      return;
    }
    const link = await open(req, res);
    if (!link) return;
    const silence = silenceOf(req.body, deps.canSilence);
    if (silence === false) {
      send(res, 400, messagePage('Refused', { tone: 'error', text: `Silence must be one of: none, ${SILENCE_CHOICES.join(', ')}.` }));
      return;
    }
    const token = String(req.params.token);
    const before = await readAlertStates(deps.redis, settings.prefix, link.fingerprints);
    const acked: string[] = [];
    let failure: string | undefined;
    for (const alert of before.filter(ackable)) {
      try {
        await deps.actions.ack(alert.fingerprint, { by: link.claims.recipient, silence, via: 'link' });
        acked.push(alert.fingerprint);
      } catch (err) {
        // Acked or resolved between the read and the ack: the page shows the state read after.
        if (err instanceof GatewayError && (err.code === 'CONFLICT' || err.code === 'NOT_FOUND')) continue;
        if (err instanceof GatewayError && err.code === 'UPSTREAM_FAILED') {
          deps.logger.warn('ack link: silence could not be created', { err: err.message });
          failure = 'Alertmanager did not take the silence, so nothing was acked. Try again, or ack without a silence.';
          break;
        }
        throw err;
      }
    }
    const after = await readAlertStates(deps.redis, settings.prefix, link.fingerprints);
    if (failure) return send(res, 502, page(link.claims, after, token, [{ tone: 'error', text: failure }]));
    if (acked.length > 0) {
      const text = `Acked${acked.length > 1 ? ` ${acked.length} alerts` : ''} as ${link.claims.recipient}${silence ? `, silenced for ${silence}` : ''}. Escalations for ${acked.length > 1 ? 'them' : 'it'} are cancelled.`;
      return send(res, 200, page(link.claims, after, token, [{ tone: 'ok', text }]));
    }
    // Nothing acked now: an idempotent repeat (200), or nothing that can be acked any more.
    const notice = summaryNotice(after);
    const status = after.some((a) => a.ack) ? 200 : after.some((a) => a.known) ? 409 : 404;
    send(res, status, page(link.claims, after, token, [notice]));
  });
  return router;
}

/** The silence asked for: undefined for none, false when not one the page offers. */
function silenceOf(body: unknown, canSilence: boolean): string | undefined | false {
  const value = (body as Record<string, unknown> | undefined)?.silence;
  if (value === undefined || value === '') return undefined;
  return canSilence && typeof value === 'string' && SILENCE_CHOICES.includes(value) ? value : false;
}
