'use strict';
// The Tencent SMS look-alike of the tests (packages/notifier-sms/test/support: TC3 signature
// check, templates, per-number statuses), run as its own process for bench/storm, answering each
// call `delayMs` later, as a provider's round trip would. Tells the parent over IPC: {endpoint,
// sms} (the config section that reaches it) when listening; on 'stats', every delivered SMS
// (phone, ms epoch) and the SendSms calls answered.

const fs = require('node:fs');
const path = require('node:path');

// The look-alike is TypeScript test support; compile it on load instead of keeping a JS copy.
require.extensions['.ts'] = (module, filename) => {
  const ts = require('typescript');
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: filename,
  });
  module._compile(outputText, filename);
};
const harness = require(path.join(__dirname, '..', '..', 'packages', 'notifier-sms', 'test', 'support', 'harness.ts'));

const spec = JSON.parse(process.argv[2] ?? '{}');
const delayMs = spec.delayMs ?? 50;

async function main() {
  const fake = await harness.startFake();
  // Every request is answered delayMs after it arrived (its body is read meanwhile).
  const handle = fake.handle.bind(fake);
  fake.handle = (req, res) => setTimeout(() => handle(req, res), delayMs);
  process.send({ endpoint: fake.endpoint, sms: harness.smsConfig(fake), secretId: harness.SECRET_ID, secretKey: harness.SECRET_KEY });
  process.on('message', (m) => {
    if (m === 'stats') process.send({ deliveries: fake.deliveries.map((d) => ({ phone: d.phone, at: d.at, params: d.params })), calls: fake.sendSmsCalls.length });
    else if (m === 'reset') fake.reset();
    else if (m === 'stop') fake.close().then(() => process.exit(0));
  });
}

process.on('disconnect', () => process.exit(0));
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
