/**
 * Go's layout strings, split into fields the way Go's nextStdChunk does (which letters form a field,
 * `Jan` not followed by a lower-case letter, `.000` vs `.999`, ...). Shared by formatting and parsing.
 */
// ---------------------------------------------------------------------------------------------
// Layout chunks (Go's nextStdChunk).

export type StdCode =
  | 'Jan'
  | 'January'
  | '1'
  | '01'
  | 'Mon'
  | 'Monday'
  | '2'
  | '_2'
  | '02'
  | '__2'
  | '002'
  | '15'
  | '3'
  | '03'
  | '4'
  | '04'
  | '5'
  | '05'
  | '2006'
  | '06'
  | 'PM'
  | 'pm'
  | 'MST'
  | 'Z0700'
  | 'Z070000'
  | 'Z07'
  | 'Z07:00'
  | 'Z07:00:00'
  | '-0700'
  | '-070000'
  | '-07'
  | '-07:00'
  | '-07:00:00'
  | 'frac0'
  | 'frac9';

export interface Chunk {
  prefix: string;
  std: StdCode | undefined;
  /** The layout text of the field, for error messages. */
  text: string;
  suffix: string;
  /** Fractional seconds: digits asked for and the separator (`.` or `,`). */
  digits: number;
  separator: string;
}

export const ZERO_PAIRS: Record<string, StdCode> = { '1': '01', '2': '02', '3': '03', '4': '04', '5': '05', '6': '06' };
export const ZONE_FIELDS: StdCode[] = ['Z070000', 'Z07:00:00', 'Z0700', 'Z07:00', 'Z07'];
export const NUM_ZONE_FIELDS: StdCode[] = ['-070000', '-07:00:00', '-0700', '-07:00', '-07'];

export function isDigitAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c >= 48 && c <= 57;
}

export function startsWithLower(text: string): boolean {
  const c = text.charCodeAt(0);
  return c >= 97 && c <= 122;
}

export function nextChunk(layout: string): Chunk {
  const found = (i: number, std: StdCode, length: number, digits = 0, separator = '.'): Chunk => ({
    prefix: layout.slice(0, i),
    std,
    text: layout.slice(i, i + length),
    suffix: layout.slice(i + length),
    digits,
    separator,
  });
  for (let i = 0; i < layout.length; i++) {
    const rest = layout.slice(i);
    switch (layout[i]) {
      case 'J':
        if (rest.startsWith('Jan')) {
          if (rest.startsWith('January')) return found(i, 'January', 7);
          if (!startsWithLower(rest.slice(3))) return found(i, 'Jan', 3);
        }
        break;
      case 'M':
        if (rest.startsWith('Mon')) {
          if (rest.startsWith('Monday')) return found(i, 'Monday', 6);
          if (!startsWithLower(rest.slice(3))) return found(i, 'Mon', 3);
        }
        if (rest.startsWith('MST')) return found(i, 'MST', 3);
        break;
      case '0': {
        const pair = ZERO_PAIRS[rest[1] ?? ''];
        if (pair) return found(i, pair, 2);
        if (rest.startsWith('002')) return found(i, '002', 3);
        break;
      }
      case '1':
        if (rest[1] === '5') return found(i, '15', 2);
        return found(i, '1', 1);
      case '2':
        if (rest.startsWith('2006')) return found(i, '2006', 4);
        return found(i, '2', 1);
      case '_':
        if (rest[1] === '2') {
          // `_2006` is a literal underscore followed by the year.
          if (rest.startsWith('_2006')) return found(i + 1, '2006', 4);
          return found(i, '_2', 2);
        }
        if (rest.startsWith('__2')) return found(i, '__2', 3);
        break;
      case '3':
        return found(i, '3', 1);
      case '4':
        return found(i, '4', 1);
      case '5':
        return found(i, '5', 1);
      case 'P':
        if (rest[1] === 'M') return found(i, 'PM', 2);
        break;
      case 'p':
        if (rest[1] === 'm') return found(i, 'pm', 2);
        break;
      case '-':
        for (const std of NUM_ZONE_FIELDS) if (rest.startsWith(std)) return found(i, std, std.length);
        break;
      case 'Z':
        for (const std of ZONE_FIELDS) if (rest.startsWith(std)) return found(i, std, std.length);
        break;
      case '.':
      case ',':
        if (rest[1] === '0' || rest[1] === '9') {
          const digit = rest[1];
          let j = 1;
          while (rest[j] === digit) j++;
          // Only a fraction if the run of digits ends here.
          if (!isDigitAt(rest, j)) return found(i, digit === '0' ? 'frac0' : 'frac9', j, j - 1, layout[i]!);
        }
        break;
    }
  }
  return { prefix: layout, std: undefined, text: '', suffix: '', digits: 0, separator: '.' };
}
