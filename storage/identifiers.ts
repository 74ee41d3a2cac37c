/** Quotes an identifier that was already validated against an allow-list pattern. */
export function quoteIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) throw new Error(`invalid identifier ${name}`);
  return '`' + name + '`';
}
