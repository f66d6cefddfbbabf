#!/usr/bin/env node
// The package's command. The TypeScript sources are compiled to dist/ by `npm ci` (the prepare script).
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
});
