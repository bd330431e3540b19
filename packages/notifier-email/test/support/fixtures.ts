import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { NotificationPayload, WebhookMessage } from '@alertgw/shared';
import { payloadFromWebhook, webhookBodyOf } from '../../src/preview';
import { AM_FIXTURES_DIR } from '@alertgw/testkit';

/** Folder of the real Alertmanager 0.25 deliveries (shared/ lies next to the repo). */
export const FIXTURE_DIR = AM_FIXTURES_DIR;

/** Names of the fixture files (`*.json`). */
export function fixtureNames(): string[] {
  return readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.json')).sort();
}

/** The webhook body of one fixture file. */
export function fixtureBody(name: string): WebhookMessage {
  return webhookBodyOf(JSON.parse(readFileSync(join(FIXTURE_DIR, name), 'utf8')));
}

/** A task payload built from a fixture, the way ingest would write it. */
export function payloadFromFixture(name: string, recipients: string[] = ['alice@example.com'], cc?: string[]): NotificationPayload {
  return payloadFromWebhook(fixtureBody(name), { recipients, ...(cc ? { cc } : {}), deliveryKey: `test-${name}` });
}
