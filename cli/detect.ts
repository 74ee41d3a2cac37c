import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

/** A problem with the command line or the input file; the message is meant for the user. */
export class DetectInputError extends Error {
  override name = 'DetectInputError';
}

/** Where runDetect writes: anything with a `write(text)`, such as process.stdout. */
export interface DetectIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** A parsed `timestamp,value` series; `timestamps` and `rawValues` keep the text as read. */
export interface ParsedSeries {
  timestamps: string[];
  timestampsMs: Float64Array;
  values: Float64Array;
  rawValues: string[];
  /** The first row whose timestamp is earlier than the row before it, or null. */
  firstStepBack: StepBack | null;
  /** Rows whose timestamp is earlier than the row before them. */
  stepsBack: number;
}

/** A row whose timestamp is earlier than the previous row's (lines are 1-based file lines). */
export interface StepBack {
  line: number;
  timestamp: string;
  previousLine: number;
  previousTimestamp: string;
}

const OUTPUT_HEADER = 'timestamp,value,anomaly_score,expected,lower,upper,alert';
const TIMESTAMP_FORMATS = 'YYYY-MM-DD HH:MM:SS, ISO-8601 or epoch seconds/milliseconds';

function usage(defaultThreshold: number): string {
  return `Usage: opsless detect FILE.csv [--threshold X] [--output OUT.csv]

Scores every point of a series offline with the live detector's engine: each point
against the points before it only.

Input: CSV with the header "timestamp,value". A timestamp is "YYYY-MM-DD HH:MM:SS"
(UTC, as in the NAB corpus), ISO-8601 (UTC unless it carries an offset), or epoch
seconds or milliseconds (numbers below 1e11 are seconds). Timestamps should not
decrease (equal consecutive timestamps are fine); where they step back, rows are
still scored in file order and one warning on standard error names the first such line.

Output: CSV with the columns ${OUTPUT_HEADER}.
timestamp and value are copied as read; alert is true when anomaly_score >= the threshold.

Options:
  --threshold X       alert threshold, a number in [0,1] (default ${defaultThreshold})
  -o, --output FILE   write the CSV to FILE instead of standard output
  -h, --help          show this text

Exit status: 0 on success, 2 when the command line or the input is wrong.
`;
}

/** Runs `opsless detect` with `args` (after the command name); resolves to the exit code. */
export async function runDetect(args: string[], io: DetectIo): Promise<number> {
  try {
    const options = parseDetectArgs(args);
    if (options.help) {
      // The engine is loaded only when needed: argument and input errors are reported at once.
      const { DEFAULT_THRESHOLD } = await import('../detector/index.ts');
      io.stdout.write(usage(DEFAULT_THRESHOLD));
      return 0;
    }
    const series = parseSeriesCsv(await readInput(options.file), options.file);
    if (series.firstStepBack !== null) io.stderr.write(stepBackWarning(options.file, series));
    const { createDetector, DEFAULT_THRESHOLD } = await import('../detector/index.ts');
    const threshold = options.threshold ?? DEFAULT_THRESHOLD;
    const verdicts = createDetector().updateBatch(series.timestampsMs, series.values);
    const lines = new Array<string>(verdicts.length + 1);
    lines[0] = OUTPUT_HEADER;
    for (let i = 0; i < verdicts.length; i++) {
      const verdict = verdicts[i]!;
      lines[i + 1] =
        `${series.timestamps[i]},${series.rawValues[i]},${verdict.score.toFixed(6)},` +
        `${formatDecimal(verdict.expected)},${formatDecimal(verdict.lower)},` +
        `${formatDecimal(verdict.upper)},${verdict.score >= threshold}`;
    }
    const csv = `${lines.join('\n')}\n`;
    if (options.output === undefined) io.stdout.write(csv);
    else await writeOutput(options.output, csv);
    return 0;
  } catch (error) {
    if (error instanceof DetectInputError) {
      io.stderr.write(`opsless detect: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

/** One warning for all the rows that step back: the first is named, the others counted. */
function stepBackWarning(file: string, series: ParsedSeries): string {
  const first = series.firstStepBack!;
  const others = series.stepsBack - 1;
  const more = others === 0 ? '' : ` (and ${others} more row${others === 1 ? '' : 's'} later)`;
  return (
    `opsless detect: warning: ${file} line ${first.line}: timestamp "${first.timestamp}" is ` +
    `earlier than "${first.previousTimestamp}" on line ${first.previousLine}${more}; ` +
    'scoring rows in file order\n'
  );
}

interface DetectArgs {
  file: string;
  threshold: number | undefined;
  output: string | undefined;
  help: boolean;
}

function parseDetectArgs(args: string[]): DetectArgs {
  const known = { threshold: 'string', output: 'string', help: 'boolean' } as const;
  // Non-strict parsing with tokens so that each mistake gets its own message.
  const { positionals, tokens } = parseArgs({
    args,
    options: {
      threshold: { type: 'string' },
      output: { type: 'string', short: 'o' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const hint = ' (see opsless detect --help)';
  let threshold: string | undefined;
  let output: string | undefined;
  let help = false;
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const type = (known as Record<string, string | undefined>)[token.name];
    if (type === undefined) throw new DetectInputError(`unknown option "${token.rawName}"${hint}`);
    if (type === 'string' && typeof token.value !== 'string') {
      throw new DetectInputError(`${token.rawName} needs a value${hint}`);
    }
    if (token.name === 'threshold') threshold = token.value;
    else if (token.name === 'output') output = token.value;
    else help = true;
  }
  if (help) return { file: '', threshold: undefined, output: undefined, help };
  if (positionals.length === 0) throw new DetectInputError(`missing the input FILE.csv${hint}`);
  if (positionals.length > 1) {
    throw new DetectInputError(`unexpected argument "${positionals[1]}"; give one FILE.csv${hint}`);
  }
  return { file: positionals[0]!, threshold: parseThreshold(threshold), output, help };
}

function parseThreshold(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const threshold = DECIMAL.test(text.trim()) ? Number(text) : Number.NaN;
  if (!(threshold >= 0 && threshold <= 1)) {
    throw new DetectInputError(`--threshold must be a number in [0,1], got "${text}"`);
  }
  return threshold;
}

async function readInput(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new DetectInputError(`cannot read "${file}": ${describeFsError(error)}`);
  }
}

async function writeOutput(file: string, text: string): Promise<void> {
  try {
    await writeFile(file, text);
  } catch (error) {
    throw new DetectInputError(`cannot write "${file}": ${describeFsError(error)}`);
  }
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const EPOCH = /^[+-]?\d+(?:\.\d+)?$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;
/** Below this an epoch number is read as seconds (1e11 s is the year 5138; 1e11 ms is 1973). */
const EPOCH_SECONDS_BELOW = 1e11;

/**
 * Parses a `timestamp,value` CSV; throws DetectInputError naming `source`, the line and
 * the offending text. Rows stay in file order: timestamps that step back (a clock set
 * back, a merged export) are kept and reported in `firstStepBack` and `stepsBack`.
 */
export function parseSeriesCsv(text: string, source: string): ParsedSeries {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerLine = lines[0] ?? '';
  const header = headerLine.split(',').map((field) => unquote(field).toLowerCase());
  if (header.length !== 2 || header[0] !== 'timestamp' || header[1] !== 'value') {
    const found = headerLine.trim() === '' ? 'an empty first line' : `"${headerLine}"`;
    throw new DetectInputError(`${source}: expected the header "timestamp,value", found ${found}`);
  }
  const timestamps: string[] = [];
  const rawValues: string[] = [];
  const timestampsMs = new Float64Array(lines.length);
  const values = new Float64Array(lines.length);
  let previousLine = 0;
  let firstStepBack: StepBack | null = null;
  let stepsBack = 0;
  for (let index = 1; index < lines.length; index++) {
    const line = lines[index]!;
    if (line.trim() === '') continue;
    const where = `${source} line ${index + 1}`;
    const fields = line.split(',');
    if (fields.length !== 2) {
      throw new DetectInputError(
        `${where}: expected 2 fields (timestamp,value), found ${fields.length}: "${line}"`,
      );
    }
    const timestamp = unquote(fields[0]!);
    const rawValue = unquote(fields[1]!);
    const timeMs = parseTimestampMs(timestamp);
    if (timeMs === undefined) {
      throw new DetectInputError(
        `${where}: bad timestamp "${timestamp}" (expected ${TIMESTAMP_FORMATS})`,
      );
    }
    const value = DECIMAL.test(rawValue) ? Number(rawValue) : Number.NaN;
    if (!Number.isFinite(value)) {
      throw new DetectInputError(`${where}: bad number "${rawValue}" in the value column`);
    }
    const count = timestamps.length;
    if (count > 0 && timeMs < timestampsMs[count - 1]!) {
      stepsBack++;
      firstStepBack ??= {
        line: index + 1,
        timestamp,
        previousLine,
        previousTimestamp: timestamps[count - 1]!,
      };
    }
    timestamps.push(timestamp);
    rawValues.push(rawValue);
    timestampsMs[count] = timeMs;
    values[count] = value;
    previousLine = index + 1;
  }
  return {
    timestamps,
    rawValues,
    timestampsMs: timestampsMs.slice(0, timestamps.length),
    values: values.slice(0, timestamps.length),
    firstStepBack,
    stepsBack,
  };
}

function unquote(field: string): string {
  const trimmed = field.trim();
  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')
    ? trimmed.slice(1, -1).trim()
    : trimmed;
}

/** Milliseconds since the epoch, or undefined when `text` is no timestamp we accept. */
function parseTimestampMs(text: string): number | undefined {
  if (EPOCH.test(text)) {
    const number = Number(text);
    return Math.abs(number) < EPOCH_SECONDS_BELOW ? number * 1000 : number;
  }
  const match = DATE_TIME.exec(text);
  if (match === null) return undefined;
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', , sign] = match;
  const offsetHours = match[10] ?? '0';
  const offsetMinutes = match[11] ?? '0';
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  const h = Number(hour);
  const mi = Number(minute);
  const s = Number(second);
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const daysInMonth = mo === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(mo) ? 30 : 31;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth || h > 23 || mi > 59 || s > 59) {
    return undefined;
  }
  if (Number(offsetHours) > 23 || Number(offsetMinutes) > 59) return undefined;
  const ms = Number(`0.${fraction || '0'}`) * 1000;
  const offsetMs =
    (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000;
  const utc = new Date(0);
  // setUTCFullYear keeps years 0–99 literal, which Date.UTC would move to the 1900s.
  utc.setUTCFullYear(y, mo - 1, d);
  utc.setUTCHours(h, mi, s, 0);
  return utc.getTime() + ms - offsetMs;
}

/** Up to 6 decimals, trailing zeros dropped, never an exponent below 1e21. */
function formatDecimal(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const text = value.toFixed(6).replace(/\.?0+$/, '');
  return text === '-0' ? '0' : text;
}
