/**
 * docs/api.md from the OpenAPI document the server itself serves at /openapi.json
 * (api/openapi.ts): every route with its parameters, body fields and answers.
 */
import { openApiDocument } from '../../api/index.ts';

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  default?: unknown;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
}

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: JsonSchema;
}

interface Operation {
  summary?: string;
  description?: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: JsonSchema }> };
  responses: Record<string, { description?: string }>;
  security?: unknown[];
}

interface Document {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
}

/** A table cell: pipes escaped, line breaks folded. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/** `string`, `integer 1–1000`, `open \| resolved`, `array of string`… */
function typeText(schema: JsonSchema | undefined): string {
  if (!schema) return '';
  if (schema.enum) return schema.enum.map((value) => `\`${String(value)}\``).join(', ');
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return variants.map(typeText).filter(Boolean).join(' or ');
  const type = Array.isArray(schema.type) ? schema.type.join(' or ') : (schema.type ?? 'any');
  if (type === 'array') return `array of ${typeText(schema.items)}`;
  const range =
    schema.minimum !== undefined || schema.maximum !== undefined
      ? ` ${schema.minimum ?? ''}–${schema.maximum ?? ''}`
      : '';
  return `${type}${range}`;
}

function describe(schema: JsonSchema | undefined, own?: string): string {
  const parts = [own ?? schema?.description ?? ''];
  if (schema?.default !== undefined) parts.push(`Default \`${JSON.stringify(schema.default)}\`.`);
  return cell(parts.filter(Boolean).join(' '));
}

function operationMarkdown(method: string, path: string, operation: Operation): string[] {
  const lines = [`### ${method.toUpperCase()} ${path}`, '', cell(operation.summary ?? ''), ''];
  if (operation.description) lines.push(operation.description, '');
  if (operation.security?.length === 0) lines.push('No API key needed.', '');
  const parameters = operation.parameters ?? [];
  if (parameters.length > 0) {
    lines.push('| Parameter | In | Type | Required | Meaning |', '| --- | --- | --- | --- | --- |');
    for (const parameter of parameters) {
      lines.push(
        `| \`${parameter.name}\` | ${parameter.in} | ${cell(typeText(parameter.schema))} | ${parameter.required ? 'yes' : 'no'} | ${describe(parameter.schema, parameter.description)} |`,
      );
    }
    lines.push('');
  }
  const body = operation.requestBody?.content['application/json']?.schema;
  if (body?.properties) {
    const required = new Set(body.required ?? []);
    lines.push('| Body field | Type | Required | Meaning |', '| --- | --- | --- | --- |');
    for (const [name, field] of Object.entries(body.properties)) {
      lines.push(
        `| \`${name}\` | ${cell(typeText(field))} | ${required.has(name) ? 'yes' : 'no'} | ${describe(field)} |`,
      );
    }
    lines.push('');
  }
  const answers = Object.entries(operation.responses).map(([code, response]) =>
    `${code} ${cell(response.description ?? '')}`.trim(),
  );
  lines.push(`Answers: ${answers.join('; ')}.`, '');
  return lines;
}

/** The Markdown page, before Prettier lays the tables out. */
export function apiMarkdown(): string {
  const document = openApiDocument() as Document;
  const routes = Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({ path, method, operation })),
  );
  return [
    '<!-- Generated from api/openapi.ts by `npm run docs`: edit that, not this file. -->',
    '',
    '# API',
    '',
    `${document.info.title} ${document.info.version}: ${document.info.description ?? ''}`,
    '',
    'The server describes itself: `GET /openapi.json` answers this OpenAPI 3.1 document with',
    'every schema in full. When `OPSLESS_API_KEY` is set, a route needs',
    '`Authorization: Bearer <key>` unless it says "No API key needed". Errors answer',
    '`{"error": "<code>", "message": "…"}` with the status code listed.',
    '',
    '| Method | Path | What it does |',
    '| --- | --- | --- |',
    ...routes.map(
      ({ path, method, operation }) =>
        `| ${method.toUpperCase()} | \`${path}\` | ${cell(operation.summary ?? '')} |`,
    ),
    '',
    '## Routes',
    '',
    ...routes.flatMap(({ path, method, operation }) => operationMarkdown(method, path, operation)),
  ].join('\n');
}
