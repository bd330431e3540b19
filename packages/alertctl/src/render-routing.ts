import { ROBOT_PREFIX, type RoutingExplanation } from '@alertgw/shared';
import { showAddress, table } from './format';

/** "15m", "30s", "1.5h": an escalation delay as people say it. */
function delay(minutes: number): string {
  if (minutes < 1) return `${Math.round(minutes * 60)}s`;
  if (minutes >= 60 && minutes % 60 === 0) return `${minutes / 60}h`;
  return `${Math.round(minutes * 100) / 100}m`;
}

/** The layer or override a schedule went through, and who it named: "layer daytime → alice". */
function onCallStep(hit: RoutingExplanation['onCall'][number]): string {
  const who = hit.users.join(', ') || 'nobody';
  const passed = hit.path.passedOver.map((p) => `${p.layer} ${p.why}`).join(', ');
  if (hit.path.source === 'override') return `override → ${who}`;
  if (hit.path.source === 'layer') return `${hit.path.layer}${passed ? ` (${passed})` : ''} → ${who}`;
  return `nobody on call${passed ? ` (${passed})` : ''}`;
}

/**
 * The answer of `alertctl route test` as text: each route's verdict (and the matcher that
 * failed), who each channel notifies and which rules picked them, what escalates if nobody
 * acks, and every name that could not be resolved. Phone numbers are masked.
 */
export function renderRouting(e: RoutingExplanation, where: string): string {
  const labels = Object.entries(e.labels).map(([k, v]) => `${k}=${v}`).join(', ');
  const out = [`Labels: ${labels || '(none)'} (${e.status}) — ${where}`, '', 'Routes'];
  if (e.routes.length === 0) out.push('  none');
  else {
    out.push(
      table(
        ['MATCH', 'ROUTE', 'NOTIFY', 'WHY'],
        e.routes.map((r) => [
          r.matched ? 'yes' : 'no',
          r.name,
          r.notify.join(', ') + (r.channels ? ` (${r.channels.join(', ')} only)` : ''),
          r.matched ? 'every matcher matches' : `${r.failedMatcher} does not match`,
        ]),
      )
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
    );
  }

  out.push('', 'Who is notified');
  // A robot's address is its name, not a phone to mask.
  const rows = e.channels.flatMap((c) => c.recipients.map((r) => [c.channel, r.name, r.name.startsWith(ROBOT_PREFIX) ? r.address : showAddress(r.address), r.rules.join(', ')]));
  if (rows.length === 0) out.push('  nobody');
  else out.push(table(['CHANNEL', 'USER', 'ADDRESS', 'PICKED BY'], rows).split('\n').map((l) => `  ${l}`).join('\n'));
  if (e.cc.length) out.push(`  Cc on email: ${e.cc.join(', ')}`);
  for (const c of e.channels.filter((c) => !c.carried)) out.push(`  ${c.channel}: nothing sent — ${c.why}`);

  if (e.onCall.length) {
    out.push('', `On call at ${e.at} (asked again when each notification is sent)`);
    for (const hit of e.onCall) out.push(`  ${hit.rule} → schedule:${hit.schedule} → ${onCallStep(hit)}${hit.until ? ` (until ${hit.until})` : ''}`);
  }

  if (e.status === 'firing') {
    out.push('', 'If nobody acks (escalation: people by SMS, robots in their chat group)');
    if (e.escalations.length === 0) out.push('  no escalation');
    for (const t of e.escalations) {
      const who = [...t.reachable.map((r) => `${r.name} (${showAddress(r.phone)})`), ...(t.robots ?? []).map((r) => `robot ${r}`)].join(', ') || 'nobody reachable';
      out.push(`  after ${delay(t.afterMinutes)}: route ${t.route} tier ${t.tier} → ${t.notify.join(', ')}: ${who}${t.noPhone.length ? `; no phone: ${t.noPhone.join(', ')}` : ''}`);
    }
  }

  const problems = [
    ...e.unknownUsers.map((u) => (u.name.startsWith(ROBOT_PREFIX) ? `unknown robot "${u.name.slice(ROBOT_PREFIX.length)}" named by ${u.rule}` : `unknown user "${u.name}" named by ${u.rule}`)),
    ...e.unreachable.map((u) => `${u.user} has no ${u.channel} address (picked by ${u.rule})`),
  ];
  if (problems.length) out.push('', 'Problems', ...problems.map((p) => `  ${p}`));
  return out.join('\n');
}
