#!/usr/bin/env node
// The package's command. The TypeScript sources are compiled to dist/ by `npm ci` (the prepare script).
if (process.argv[2] === 'executor') {
  // Runs inside every pod (init and wait containers): skipping the CLI's modules keeps a step's start fast.
  const { runExecutor } = await import('../dist/src/executor/run-executor.js');
  process.exitCode = await runExecutor(process.argv.slice(3), { stdout: process.stdout, stderr: process.stderr, env: process.env });
} else {
  const { main } = await import('../dist/src/cli/main.js');
  process.exitCode = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stdin: process.stdin,
    stderr: process.stderr,
    cwd: process.cwd(),
  });
}
