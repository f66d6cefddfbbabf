import { escapeHtml } from './html-escape.js';

/** The SGR state carried from one line to the next. */
export interface AnsiState {
  fg?: string;
  bg?: string;
  bold?: boolean;
  italic?: boolean;
  underline?: boolean;
}

const ESC = String.fromCharCode(0x1b);
const BEL = String.fromCharCode(0x07);
/** CSI sequences (ESC [ … final byte: group 2 is `m` for colours), OSC sequences (ESC ] … BEL or ESC \), other ESC pairs, lone control characters. */
const TERMINAL_CODES = [
  `${ESC}\\[([0-9;?]*)([@-~])`,
  `${ESC}\\][^${BEL}${ESC}]*(?:${BEL}|${ESC}\\\\)?`,
  `${ESC}[@-Z\\\\-_]?`,
  `[${String.fromCharCode(0)}-${String.fromCharCode(8)}${String.fromCharCode(11)}${String.fromCharCode(12)}${String.fromCharCode(14)}-${String.fromCharCode(31)}${String.fromCharCode(127)}]`,
].join('|');

const BASIC = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];

/**
 * Renders terminal text with ANSI colour codes as escaped HTML: colours and bold become spans with
 * fixed class names (`ansi-red`, `ansi-bg-blue`, `ansi-bold`, ...), never styles or markup taken
 * from the text; every other escape sequence (cursor moves, OSC hyperlinks, titles) is dropped.
 * `state` carries colours across calls, so a log rendered in pages keeps its colours.
 *
 * @example ansiToHtml('\u001b[31mred <b>\u001b[0m ok') // '<span class="ansi-red">red &lt;b&gt;</span> ok'
 */
export function ansiToHtml(text: string, state: AnsiState = {}): string {
  let out = '';
  let open = false;
  const openSpan = (): void => {
    const classes = classesOf(state);
    if (classes.length > 0) {
      out += `<span class="${classes.join(' ')}">`;
      open = true;
    }
  };
  const closeSpan = (): void => {
    if (open) out += '</span>';
    open = false;
  };
  openSpan();
  const pattern = new RegExp(TERMINAL_CODES, 'g');
  let last = 0;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    out += escapeHtml(text.slice(last, match.index));
    last = pattern.lastIndex;
    if (match[2] !== 'm') continue;
    closeSpan();
    applySgr(state, match[1] ?? '');
    openSpan();
  }
  out += escapeHtml(text.slice(last));
  closeSpan();
  return out;
}

function classesOf(state: AnsiState): string[] {
  const classes: string[] = [];
  if (state.fg) classes.push(`ansi-${state.fg}`);
  if (state.bg) classes.push(`ansi-bg-${state.bg}`);
  if (state.bold) classes.push('ansi-bold');
  if (state.italic) classes.push('ansi-italic');
  if (state.underline) classes.push('ansi-underline');
  return classes;
}

function applySgr(state: AnsiState, params: string): void {
  const codes = params === '' ? [0] : params.split(';').map((p) => (p === '' ? 0 : Number(p)));
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]!;
    if (code === 0) {
      delete state.fg;
      delete state.bg;
      delete state.bold;
      delete state.italic;
      delete state.underline;
    } else if (code === 1) state.bold = true;
    else if (code === 3) state.italic = true;
    else if (code === 4) state.underline = true;
    else if (code === 22) delete state.bold;
    else if (code === 23) delete state.italic;
    else if (code === 24) delete state.underline;
    else if (code >= 30 && code <= 37) state.fg = BASIC[code - 30]!;
    else if (code >= 90 && code <= 97) state.fg = `bright-${BASIC[code - 90]!}`;
    else if (code === 39) delete state.fg;
    else if (code >= 40 && code <= 47) state.bg = BASIC[code - 40]!;
    else if (code >= 100 && code <= 107) state.bg = `bright-${BASIC[code - 100]!}`;
    else if (code === 49) delete state.bg;
    else if (code === 38 || code === 48) {
      // 256-colour and true-colour forms: skipped (their arguments too), the text keeps its colour.
      i += codes[i + 1] === 5 ? 2 : codes[i + 1] === 2 ? 4 : 0;
    }
  }
}
