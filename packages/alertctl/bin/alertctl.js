#!/usr/bin/env node
// Launcher: the CLI is TypeScript compiled to dist/ by `npm run build`.
require('../dist/main.js');
