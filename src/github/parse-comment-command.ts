/** A command found in a comment. */
export type CommentCommand =
  | { name: 'retry'; workflow?: string; steps: string[]; restartSuccessful: boolean }
  | { name: 'ok-to-test' }
  | { name: 'help' }
  | { name: 'unknown'; text: string; problem: string };

/** Comments longer than this are not searched for commands (GitHub allows 65,536 characters). */
const MAX_SCANNED_CHARS = 65_536;

/**
 * The first `/skiff ...` (or `/retry`) command of a comment, on a line of its own. Lines inside a
 * fenced or indented code block, or quoted with `>`, are text about a command, never one.
 * Undefined when the comment holds no command.
 *
 * @example parseCommentCommand('Flaky.\n/skiff retry build --step test') // → { name: 'retry', workflow: 'build', steps: ['test'], restartSuccessful: false }
 */
export function parseCommentCommand(body: string): CommentCommand | undefined {
  let fence: string | undefined;
  for (const raw of body.slice(0, MAX_SCANNED_CHARS).split(/\r?\n/)) {
    const opening = /^ {0,3}(`{3,}|~{3,})/.exec(raw);
    if (fence !== undefined) {
      if (opening && opening[1]!.startsWith(fence)) fence = undefined;
      continue;
    }
    if (opening) {
      fence = opening[1]!;
      continue;
    }
    if (/^( {4}|\t)/.test(raw) || /^\s*>/.test(raw)) continue;
    const line = raw.trim();
    const words = line.split(/\s+/);
    if (words[0] === '/retry') return parseRetry(words.slice(1), line);
    if (words[0] !== '/skiff') continue;
    const [name, ...args] = words.slice(1);
    if (name === 'retry') return parseRetry(args, line);
    if (name === 'ok-to-test') return args.length === 0 ? { name } : unknown(line, 'ok-to-test takes no arguments');
    if (name === 'help' || name === undefined) return { name: 'help' };
    return unknown(line, `"${name}" is not a command`);
  }
  return undefined;
}

function parseRetry(args: string[], line: string): CommentCommand {
  const steps: string[] = [];
  let workflow: string | undefined;
  let restartSuccessful = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--restart-successful') restartSuccessful = true;
    else if (arg === '--step') {
      const step = args[++i];
      if (!step) return unknown(line, '--step needs a step name');
      steps.push(step);
    } else if (arg.startsWith('-')) return unknown(line, `unknown option ${arg}`);
    else if (workflow === undefined) workflow = arg;
    else return unknown(line, `retry takes one WORKFLOW (got ${workflow} and ${arg})`);
  }
  return { name: 'retry', ...(workflow !== undefined ? { workflow } : {}), steps, restartSuccessful };
}

function unknown(line: string, problem: string): CommentCommand {
  return { name: 'unknown', text: line.slice(0, 200), problem };
}

/** What `/skiff help` answers. */
export const COMMAND_HELP = [
  'Skiff commands (one per comment, on a line of its own; people with write access only):',
  '',
  '- `/skiff retry [WORKFLOW] [--step NAME]... [--restart-successful]` (or `/retry`): run the failed steps of the latest runs for this head again',
  '- `/skiff ok-to-test`: let this pull request (from a fork) run its workflows, for its current head commit only',
  '- `/skiff help`: this text',
].join('\n');
