/**
 * Reads the Loghub-2k layout: `<System>/<System>_2k.log_structured_corrected.csv` with
 * the columns `Content`, `EventId` and `EventTemplate` (RFC 4180 quoting).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LabelledLog {
  content: string;
  eventId: string;
  template: string;
}

export interface LogSystem {
  name: string;
  lines: LabelledLog[];
}

/** Splits CSV text into rows of fields; quoted fields may hold commas, quotes and newlines. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function column(header: string[], name: string, path: string): number {
  const index = header.indexOf(name);
  if (index < 0) throw new Error(`${path}: no ${name} column`);
  return index;
}

/** Every system folder under `dir` that holds a structured file, sorted by name. */
export function loadLoghub(dir: string): LogSystem[] {
  const systems: LogSystem[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name, `${name}_2k.log_structured_corrected.csv`);
    if (!existsSync(path)) continue;
    const [header, ...rows] = parseCsv(readFileSync(path, 'utf8'));
    if (!header) throw new Error(`${path}: empty`);
    const content = column(header, 'Content', path);
    const eventId = column(header, 'EventId', path);
    const template = column(header, 'EventTemplate', path);
    const lines = rows
      .filter((row) => row.length === header.length)
      .map((row) => ({ content: row[content]!, eventId: row[eventId]!, template: row[template]! }));
    systems.push({ name, lines });
  }
  if (systems.length === 0)
    throw new Error(`${dir}: no <System>/<System>_2k.log_structured_corrected.csv found`);
  return systems;
}
