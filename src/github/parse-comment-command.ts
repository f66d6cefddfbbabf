/** A command found in a comment. */
export type CommentCommand =
  | { name: 'retry'; workflow?: string; steps: string[]; restartSuccessful: boolean }
  | { name: 'run'; workflow: string; parameters: Record<string, string> }
  | { name: 'cancel'; workflow?: string }
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
    if (name === 'run') return parseRun(line);
    if (name === 'cancel') {
      if (args.length > 1) return unknown(line, `cancel takes at most one WORKFLOW (got ${args.length})`);
      if (args[0] !== undefined && !WORKFLOW_NAME.test(args[0])) return unknown(line, `"${args[0]}" is not a workflow name`);
      return args[0] === undefined ? { name } : { name, workflow: args[0] };
    }
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

/** A workflow's name as check runs show it: what `metadata.name` or `generateName` may be. */
const WORKFLOW_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
/** A parameter's name as Argo allows it. */
const PARAMETER_NAME = /^[A-Za-z0-9_][-A-Za-z0-9_.]{0,127}$/;
const MAX_PARAMETERS = 32;
const MAX_VALUE_CHARS = 4096;

/**
 * `/skiff run WORKFLOW [-p name=value]...`: a value may be quoted ('…' or "…", no escapes) to hold
 * spaces. Values are data: nothing here or later hands them to a shell.
 */
function parseRun(line: string): CommentCommand {
  const words = tokenize(line.replace(/^\/skiff\s+run\b/, ''));
  if (words === undefined) return unknown(line, 'a quote is not closed');
  const [workflow, ...rest] = words;
  if (workflow === undefined || workflow.startsWith('-')) return unknown(line, 'run needs a WORKFLOW name');
  if (!WORKFLOW_NAME.test(workflow)) return unknown(line, `"${workflow}" is not a workflow name (the name its check run shows)`);
  const parameters: Record<string, string> = Object.create(null);
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg !== '-p' && arg !== '--parameter')
      return unknown(line, arg.startsWith('-') ? `unknown option ${arg}` : `run takes one WORKFLOW (got ${workflow} and ${arg})`);
    const assignment = rest[++i];
    const at = assignment?.indexOf('=') ?? -1;
    if (assignment === undefined || at <= 0) return unknown(line, '-p needs name=value');
    const name = assignment.slice(0, at);
    const value = assignment.slice(at + 1);
    if (!PARAMETER_NAME.test(name)) return unknown(line, `"${name}" is not a parameter name`);
    if (value.length > MAX_VALUE_CHARS) return unknown(line, `the value of ${name} is longer than ${MAX_VALUE_CHARS} characters`);
    parameters[name] = value;
    if (Object.keys(parameters).length > MAX_PARAMETERS) return unknown(line, `at most ${MAX_PARAMETERS} parameters`);
  }
  return { name: 'run', workflow, parameters: { ...parameters } };
}

/** Words split on spaces, a quoted stretch kept whole (quotes removed); undefined when a quote is left open. */
function tokenize(text: string): string[] | undefined {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (const char of text) {
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else word += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      word ??= '';
    } else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? '') + char;
  }
  if (quote !== undefined) return undefined;
  if (word !== undefined) words.push(word);
  return words;
}

function unknown(line: string, problem: string): CommentCommand {
  return { name: 'unknown', text: line.slice(0, 200), problem };
}

/** What `/skiff help` answers. */
export const COMMAND_HELP = [
  'Skiff commands (one per comment, on a line of its own, on a pull request or a commit; for people with write access or in a team the repository config names):',
  '',
  '- `/skiff retry [WORKFLOW] [--step NAME]... [--restart-successful]` (or `/retry`): run the failed steps of the latest runs for this head (or commit) again',
  "- `/skiff run WORKFLOW [-p name=value]...`: run a workflow of this pull request (a fork's: of the base branch) for its head commit, or of this commit of the default branch, with these parameter values",
  '- `/skiff cancel [WORKFLOW]`: terminate the runs still going for this head or commit (of one workflow, or all)',
  '- `/skiff ok-to-test`: let this pull request (from a fork) run its workflows, for its current head commit only',
  '- `/skiff help`: this text',
].join('\n');
