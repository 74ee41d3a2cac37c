/**
 * Attribute values as text, exactly as the Collector's ClickHouse exporter stores
 * them (pdata `Value.AsString`): strings as they are, ints in decimal, doubles in
 * ES6 number form, bools as `true`/`false`, bytes as base64, and arrays and maps as
 * the JSON Go's `encoding/json` writes for their raw values (map keys sorted,
 * `<`, `>` and `&` escaped). Keeping the text identical lets opsless and an existing
 * Collector deployment share tables and saved queries.
 */

import type { AttributeMap } from '../../storage/index.ts';

/** A top-level double attribute; Go's text for NaN and infinities is kept as it is. */
export function doubleText(value: number): string {
  if (Number.isFinite(value)) return doubleJson(value);
  const name = Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf';
  return `json: unsupported value: ${name}`;
}

/** A finite double in JSON; JS number-to-string is the ES6 form Go's encoder copies. */
export function doubleJson(value: number): string {
  return value === 0 && 1 / value < 0 ? '-0' : '' + value;
}

// Characters Go's encoding/json escapes: controls, quote, backslash, HTML-significant
// `<` `>` `&`, and the JavaScript line terminators U+2028 and U+2029.
const NEEDS_ESCAPE = /["\\\u0000-\u001f<>&\u2028\u2029]/;

/** A JSON string literal as Go's encoding/json writes it. */
export function jsonString(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return '"' + text + '"';
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 34) out += '\\"';
    else if (code === 92) out += '\\\\';
    else if (code === 10) out += '\\n';
    else if (code === 13) out += '\\r';
    else if (code === 9) out += '\\t';
    else if (code === 8) out += '\\b';
    else if (code === 12) out += '\\f';
    else if (
      code < 0x20 ||
      code === 60 ||
      code === 62 ||
      code === 38 ||
      code === 0x2028 ||
      code === 0x2029
    ) {
      out += '\\u' + code.toString(16).padStart(4, '0');
    } else out += text[i];
  }
  return out + '"';
}

/**
 * A key-value list as a JSON object from parallel arrays of keys and JSON values.
 * Go marshals the raw map, so a repeated key keeps its last value and keys come
 * out sorted (by UTF-16 unit here, by byte in Go: they differ only between astral
 * characters and U+E000-U+FFFF).
 */
export function jsonObject(keys: string[], values: string[]): string {
  const lastValueOf = new Map<string, string>();
  for (let i = 0; i < keys.length; i++) lastValueOf.set(keys[i]!, values[i]!);
  const sortedKeys = [...lastValueOf.keys()].sort();
  let out = '{';
  for (let i = 0; i < sortedKeys.length; i++) {
    const key = sortedKeys[i]!;
    if (i > 0) out += ',';
    out += jsonString(key) + ':' + lastValueOf.get(key)!;
  }
  return out + '}';
}

/**
 * Sets one attribute; a repeated key keeps its last value, as the exporter's map
 * does. `__proto__` is defined rather than assigned so it stays an ordinary key.
 */
export function setAttribute(map: AttributeMap, key: string, value: string): void {
  if (key === '__proto__') {
    Object.defineProperty(map, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else map[key] = value;
}

/** `service.name` of a resource, `unknown_service` when unset or empty (as the SDKs default). */
export function serviceNameOf(resourceAttributes: AttributeMap): string {
  const name = resourceAttributes['service.name'];
  return name === undefined || name === '' ? 'unknown_service' : name;
}
