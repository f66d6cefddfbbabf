import { runCommand } from '../tools/run-command.js';

/**
 * Environment for git commands run by tests: no system or user config (a developer's ~/.gitconfig
 * must not change results), a fixed identity, and no credential prompts.
 */
export function isolatedGitEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 'Skiff Test',
    GIT_AUTHOR_EMAIL: 'test@skiff.invalid',
    GIT_COMMITTER_NAME: 'Skiff Test',
    GIT_COMMITTER_EMAIL: 'test@skiff.invalid',
    ...extra,
  };
}

/**
 * Runs the git CLI asynchronously (never synchronously: the same process may be serving the request)
 * and returns its trimmed stdout; throws with git's stderr when it fails.
 *
 * @example
 *   const head = await runGit(['rev-parse', 'HEAD'], { cwd: workDir });
 */
export async function runGit(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const result = await runCommand('git', args, {
    cwd: options.cwd,
    env: isolatedGitEnv(options.env),
    timeoutMs: 60_000,
  });
  if (result.code !== 0) {
    throw new Error(`git ${args.join(' ')} failed (exit ${result.code}):\n${result.stderr}`);
  }
  return result.stdout.trim();
}
