/**
 * Words of a log body as the pattern miner sees them: white-space separated, and inside
 * each word every run of letters, digits and joiners (`.`, `_`, `-`) that carries a digit
 * (a number, an id, an address, a duration, a version, hex) is a variable. One rule for
 * every kind of log: no per-source expressions.
 */

/** The placeholder a variable takes in a template. */
export const WILDCARD = '<*>';

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Letters, digits and the joiners that keep `10.0.0.1`, `blk_-42` or `v1.2-rc` one run. */
function isRunChar(code: number): boolean {
  return (
    isDigit(code) ||
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) ||
    code === 46 || // .
    code === 95 || // _
    code === 45 || // -
    code > 127
  );
}

const CALENDAR_NAMES = new Set(
  'Mon Tue Wed Thu Fri Sat Sun Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' '),
);

/** An absolute path or a URL: a location, never the event itself. */
function isLocation(word: string): boolean {
  return (word.charCodeAt(0) === 47 && word.indexOf('/', 1) > 0) || word.includes('://');
}

/**
 * A word with each digit-carrying run, and each value after `=`, replaced by
 * {@link WILDCARD}; paths, URLs and calendar names (parts of a date) are one wildcard.
 */
export function maskWord(word: string): string {
  if (isLocation(word) || CALENDAR_NAMES.has(word)) return WILDCARD;
  // Empty brackets stand where a value was left out: the same field as a filled one.
  if (word === '()' || word === '[]') return word[0] + WILDCARD + word[1]!;
  let out = '';
  let i = 0;
  while (i < word.length) {
    const code = word.charCodeAt(i);
    if (!isRunChar(code)) {
      out += word[i];
      i++;
      continue;
    }
    let end = i;
    let digit = i > 0 && word.charCodeAt(i - 1) === 61; // a value after `=`
    while (end < word.length && isRunChar(word.charCodeAt(end))) {
      if (isDigit(word.charCodeAt(end))) digit = true;
      end++;
    }
    out += digit ? WILDCARD : word.slice(i, end);
    i = end;
  }
  return out;
}

/** Splits a body into masked words (runs of non-white-space). */
export function maskedWords(body: string): string[] {
  const words: string[] = [];
  let start = -1;
  for (let i = 0; i <= body.length; i++) {
    const code = i < body.length ? body.charCodeAt(i) : 32;
    const space = code === 32 || code === 9 || code === 10 || code === 13;
    if (space) {
      if (start >= 0) {
        const word = maskWord(body.slice(start, i));
        // A run of variables is one (lists of ids, dates): its length is not the event's.
        if (word !== WILDCARD || words[words.length - 1] !== WILDCARD) words.push(word);
      }
      start = -1;
    } else if (start < 0) start = i;
  }
  return words;
}
