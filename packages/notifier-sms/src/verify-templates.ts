import { GatewayError, type Logger, type SmsConfig } from '@alertgw/shared';
import type { SmsApi } from './tencent-client';

/** Tencent's template variables are {1}, {2} …; the number of distinct ones is what TemplateParamSet must match. */
export function countPlaceholders(content: string): number {
  return new Set([...content.matchAll(/\{(\d+)\}/g)].map((m) => m[1])).size;
}

/** CAM may deny a sub-account DescribeSmsTemplateList while allowing SendSms: then the check is skipped. */
const NOT_ALLOWED_TO_LOOK = /^(AuthFailure\.UnauthorizedOperation|UnauthorizedOperation\.|FailedOperation\.ProhibitSubAccountUse)/;

/**
 * Startup check against Tencent (DescribeSmsTemplateList): each configured template exists,
 * is approved, and takes exactly as many parameters as the config renders. Returns every
 * problem with its config path; wrong credentials are a problem too. When the check
 * itself cannot run (no permission, network), it logs a warning and passes.
 */
export async function verifyTemplates(api: SmsApi, templates: SmsConfig['templates'], logger: Logger): Promise<Array<{ path: string; message: string }>> {
  const problems: Array<{ path: string; message: string }> = [];
  const entries = [
    ['sms.templates.domestic', templates.domestic, false],
    ['sms.templates.international', templates.international, true],
  ] as const;
  for (const [path, template, international] of entries) {
    if (!template) continue;
    let found;
    try {
      const set = await api.describeTemplates([template.templateId], international);
      found = set.find((t) => String(t.TemplateId) === template.templateId);
    } catch (err) {
      const code = err instanceof GatewayError ? String(err.details?.providerCode ?? err.code) : 'UNKNOWN';
      if (err instanceof GatewayError && err.code === 'SEND_CONFIG' && !NOT_ALLOWED_TO_LOOK.test(code)) {
        problems.push({ path: 'sms.tencent', message: `Tencent refused the credentials or app (${code}): ${err.message}` });
        return problems;
      }
      logger.warn('could not verify the SMS template against Tencent; parameter count unchecked', { path, templateId: template.templateId, code });
      continue;
    }
    if (!found) {
      problems.push({ path: `${path}.templateId`, message: `template ${template.templateId} not found among your ${international ? 'international' : 'domestic'} templates` });
      continue;
    }
    if (found.StatusCode !== 0) {
      problems.push({ path: `${path}.templateId`, message: `template ${template.templateId} is not approved and active (status ${found.StatusCode}${found.ReviewReply ? `: ${found.ReviewReply}` : ''})` });
    }
    const expected = countPlaceholders(found.TemplateContent ?? '');
    if (expected !== template.params.length) {
      problems.push({
        path: `${path}.params`,
        message: `template ${template.templateId} takes ${expected} parameter(s) but ${template.params.length} are configured`,
      });
    }
  }
  return problems;
}
