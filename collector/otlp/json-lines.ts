/** Rows serialised as JSONEachRow text, the form every table insert takes. */
export interface JsonLines {
  /** One JSON object per row, each line ending in `\n`. */
  text: string;
  count: number;
}

/** Serialises rows as JSONEachRow lines. */
export function toJsonLines(rows: readonly object[]): string {
  let text = '';
  for (let i = 0; i < rows.length; i++) text += JSON.stringify(rows[i]) + '\n';
  return text;
}
