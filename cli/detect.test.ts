import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DetectInputError, parseSeriesCsv, runDetect } from './detect.ts';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
/** The NAB series kept in the repository (MIT licence, see its README). */
const nabRoot = path.resolve(repoRoot, 'bench/nab/data');

/** Runs the command with captured output. */
async function detect(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runDetect(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

function parseError(text: string): string {
  try {
    parseSeriesCsv(text, 'in.csv');
  } catch (error) {
    expect(error).toBeInstanceOf(DetectInputError);
    return (error as Error).message;
  }
  throw new Error('expected parseSeriesCsv to throw');
}

describe('parseSeriesCsv', () => {
  it('reads NAB, ISO-8601 and epoch timestamps as UTC and keeps their text', () => {
    const series = parseSeriesCsv(
      'timestamp,value\r\n' +
        '2014-04-01 00:00:00,1.5\r\n' +
        '2014-04-01T02:00:00+02:00,2\r\n' +
        '2014-04-01T00:00:01.250Z,-3e2\r\n' +
        '1396310402,4\r\n' +
        '1396310403000,5\r\n',
      'in.csv',
    );
    expect(series.timestamps).toEqual([
      '2014-04-01 00:00:00',
      '2014-04-01T02:00:00+02:00',
      '2014-04-01T00:00:01.250Z',
      '1396310402',
      '1396310403000',
    ]);
    const base = Date.UTC(2014, 3, 1);
    expect(Array.from(series.timestampsMs)).toEqual([
      base,
      base,
      base + 1250,
      base + 2000,
      base + 3000,
    ]);
    expect(Array.from(series.values)).toEqual([1.5, 2, -300, 4, 5]);
    expect(series.rawValues).toEqual(['1.5', '2', '-3e2', '4', '5']);
  });

  it('accepts equal consecutive timestamps and a header with only blank lines after it', () => {
    expect(parseSeriesCsv('timestamp,value\n5,1\n5,2\n\n', 'in.csv').values).toHaveLength(2);
    expect(parseSeriesCsv('timestamp,value\n', 'in.csv').values).toHaveLength(0);
  });

  it('rejects a wrong header, saying what was expected and what was found', () => {
    expect(parseError('time,val\n1,2\n')).toBe(
      'in.csv: expected the header "timestamp,value", found "time,val"',
    );
    expect(parseError('')).toBe(
      'in.csv: expected the header "timestamp,value", found an empty first line',
    );
  });

  it('names the line and the text of a bad timestamp', () => {
    expect(parseError('timestamp,value\n2014-04-01 00:00:00,1\n2014-02-30 00:00:00,2\n')).toBe(
      'in.csv line 3: bad timestamp "2014-02-30 00:00:00" ' +
        '(expected YYYY-MM-DD HH:MM:SS, ISO-8601 or epoch seconds/milliseconds)',
    );
    expect(parseError('timestamp,value\nyesterday,1\n')).toMatch(/^in\.csv line 2: bad timestamp/);
  });

  it('names the line and the text of a bad number or a wrong field count', () => {
    expect(parseError('timestamp,value\n1,1\n2,\n')).toBe(
      'in.csv line 3: bad number "" in the value column',
    );
    expect(parseError('timestamp,value\n1,0x10\n')).toBe(
      'in.csv line 2: bad number "0x10" in the value column',
    );
    expect(parseError('timestamp,value\n1,2,3\n')).toBe(
      'in.csv line 2: expected 2 fields (timestamp,value), found 3: "1,2,3"',
    );
  });

  it('keeps rows whose timestamp steps back in file order, naming the first and counting all', () => {
    const series = parseSeriesCsv(
      'timestamp,value\n2014-04-01 00:05:00,1\n\n2014-04-01 00:00:00,2\n' +
        '2014-04-01 00:10:00,3\n2014-04-01 00:01:00,4\n',
      'in.csv',
    );
    expect(Array.from(series.values)).toEqual([1, 2, 3, 4]);
    expect(series.timestamps).toEqual([
      '2014-04-01 00:05:00',
      '2014-04-01 00:00:00',
      '2014-04-01 00:10:00',
      '2014-04-01 00:01:00',
    ]);
    expect(series.firstStepBack).toEqual({
      line: 4,
      timestamp: '2014-04-01 00:00:00',
      previousLine: 2,
      previousTimestamp: '2014-04-01 00:05:00',
    });
    expect(series.stepsBack).toBe(2);
    const ordered = parseSeriesCsv('timestamp,value\n1,1\n1,2\n2,3\n', 'in.csv');
    expect(ordered.firstStepBack).toBeNull();
    expect(ordered.stepsBack).toBe(0);
  });
});

describe('opsless detect', () => {
  let directory = '';
  beforeAll(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'opsless-detect-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('names a missing file and exits 2', async () => {
    const missing = path.join(directory, 'nope.csv');
    const result = await detect([missing]);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: `opsless detect: cannot read "${missing}": no such file\n`,
    });
  });

  it('reports input errors with the file name and line, and exits 2', async () => {
    const file = path.join(directory, 'bad.csv');
    await writeFile(file, 'timestamp,value\n1,1\n2,abc\n');
    const result = await detect([file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `opsless detect: ${file} line 3: bad number "abc" in the value column\n`,
    );
  });

  it('rejects a threshold outside [0,1] or not a number, and unknown or incomplete options', async () => {
    for (const value of ['1.5', '-0.1', 'abc', '', 'NaN']) {
      const result = await detect(['x.csv', '--threshold', value]);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        `opsless detect: --threshold must be a number in [0,1], got "${value}"\n`,
      );
    }
    expect((await detect(['x.csv', '--verbose'])).stderr).toBe(
      'opsless detect: unknown option "--verbose" (see opsless detect --help)\n',
    );
    expect((await detect(['x.csv', '--output'])).stderr).toBe(
      'opsless detect: --output needs a value (see opsless detect --help)\n',
    );
    expect((await detect([])).stderr).toMatch(/missing the input FILE\.csv/);
    expect((await detect(['a.csv', 'b.csv'])).stderr).toMatch(/unexpected argument "b\.csv"/);
  });

  it('prints help naming the columns and the ordering rule', async () => {
    const result = await detect(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('timestamp,value,anomaly_score,expected,lower,upper,alert');
    expect(result.stdout).toContain('rows are\nstill scored in file order');
  });

  it('scores every row of a CSV, copying timestamps and values as read', async () => {
    const file = path.join(directory, 'series.csv');
    const out = path.join(directory, 'scored.csv');
    const rows = Array.from({ length: 200 }, (_, i) => {
      const value = i === 150 ? 500 : 10 + Math.sin(i / 5);
      return `${new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString()},${value}`;
    });
    await writeFile(file, `timestamp,value\n${rows.join('\n')}\n`);
    const threshold = 0.4;
    const result = await detect([file, '--threshold', String(threshold), '--output', out]);
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });

    const [header, ...lines] = (await readFile(out, 'utf8')).trimEnd().split('\n');
    expect(header).toBe('timestamp,value,anomaly_score,expected,lower,upper,alert');
    expect(lines).toHaveLength(rows.length);
    for (let i = 0; i < lines.length; i++) {
      const fields = lines[i]!.split(',');
      expect(fields).toHaveLength(7);
      expect(`${fields[0]},${fields[1]}`).toBe(rows[i]);
      const score = Number(fields[2]);
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(1);
      expect(fields[2]).toMatch(/^\d\.\d{6}$/);
      for (const band of fields.slice(3, 6))
        expect(band).toMatch(/^-?\d+(\.\d{1,6})?$|^-?Infinity$/);
      expect(fields[6]).toBe(String(score >= threshold));
    }
    expect(lines[150]!.endsWith(',true')).toBe(true);
  });

  it('scores a file whose clock steps back once in file order, warning once on stderr', async () => {
    // 300 rows of 5-minute steps; line 151 steps back an hour; line 262 is a spike to 120.
    const fixture = fileURLToPath(
      new URL('../test/fixtures/detect-steps-back.csv', import.meta.url),
    );
    const result = await detect([fixture]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      `opsless detect: warning: ${fixture} line 151: timestamp "2024-03-01 11:25:00" is ` +
        'earlier than "2024-03-01 12:20:00" on line 150; scoring rows in file order\n',
    );
    const inputRows = (await readFile(fixture, 'utf8')).trimEnd().split('\n').slice(1);
    const rows = result.stdout.trimEnd().split('\n').slice(1);
    expect(rows.map((row) => row.split(',').slice(0, 2).join(','))).toEqual(inputRows);
    // Rows after the step back are still scored against the past: the spike alerts.
    expect(rows[260]!.startsWith('2024-03-01 20:40:00,120.00,')).toBe(true);
    expect(rows[260]!.endsWith(',true')).toBe(true);
  });

  it('finds the labelled anomaly of a NAB series', async () => {
    const name = 'artificialWithAnomaly/art_daily_jumpsup.csv';
    const input = path.join(nabRoot, 'data', name);
    const windows = JSON.parse(
      await readFile(path.join(nabRoot, 'labels/combined_windows.json'), 'utf8'),
    ) as Record<string, [string, string][]>;
    const result = await detect([input]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);

    const inputRows = (await readFile(input, 'utf8')).trimEnd().split('\n').length - 1;
    const rows = result.stdout.trimEnd().split('\n').slice(1);
    expect(rows).toHaveLength(inputRows);
    // NAB window bounds carry microseconds; the series' timestamps are the first 19 characters.
    const inWindow = rows.filter((row) => {
      const timestamp = row.slice(0, 19);
      return windows[name]!.some(
        ([start, end]) => timestamp >= start.slice(0, 19) && timestamp <= end.slice(0, 19),
      );
    });
    expect(inWindow.length).toBeGreaterThan(0);
    expect(inWindow.some((row) => row.endsWith(',true'))).toBe(true);
  });
});
