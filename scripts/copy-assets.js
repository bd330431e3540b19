// tsc emits only .js: copy the non-TypeScript files the services read at run time
// (Lua scripts, ejs templates) from each package's src/ into its dist/.
const fs = require('node:fs');
const path = require('node:path');

const ASSET = /\.(lua|ejs)$/;
const root = path.join(__dirname, '..', 'packages');

function copy(srcDir, distDir) {
  if (!fs.existsSync(srcDir)) return;
  for (const entry of fs.readdirSync(srcDir, { withFileTypes: true })) {
    const from = path.join(srcDir, entry.name);
    const to = path.join(distDir, entry.name);
    if (entry.isDirectory()) copy(from, to);
    else if (ASSET.test(entry.name)) {
      fs.mkdirSync(distDir, { recursive: true });
      fs.copyFileSync(from, to);
    }
  }
}

for (const pkg of fs.readdirSync(root)) copy(path.join(root, pkg, 'src'), path.join(root, pkg, 'dist'));
