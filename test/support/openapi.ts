import { createRequire } from 'node:module';
import { openApiDocument } from '../../api/index.ts';
import { UI_ROUTES } from '../../dashboards/index.ts';

/**
 * Checks API answers against the OpenAPI document: the route, the status and the body
 * must all be described, and a JSON body must match its schema. Every test that builds
 * the API with testApi() runs each answer through this, so the document cannot fall
 * behind what the routes really do.
 */

interface Validator {
  (data: unknown): boolean;
  errors?: Array<{ instancePath: string; message?: string }> | null;
}
interface SchemaCompiler {
  compile(schema: object): Validator;
}

// Ajv 8 (draft 2020-12, what the document's schemas are) is what @apidevtools/swagger-parser,
// already a dev dependency, validates documents with; it is reached through that package
// rather than added a second time.
const fromSwaggerParser = createRequire(
  createRequire(import.meta.url).resolve('@apidevtools/swagger-parser'),
);
const Ajv2020 = (
  fromSwaggerParser('ajv/dist/2020') as { default: new (options: object) => SchemaCompiler }
).default;

interface Operation {
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
}
type Document = { paths: Record<string, Record<string, Operation>> };

let cached: { document: Document; compiler: SchemaCompiler; validators: Map<object, Validator> };

function state() {
  cached ??= {
    document: openApiDocument() as Document,
    compiler: new Ajv2020({ strict: false, allErrors: true, validateFormats: false }),
    validators: new Map(),
  };
  return cached;
}

/**
 * The web UI's pages and files: served by the same app, but not part of the API, so not
 * in its document (their routes are listed in dashboards/routes.ts).
 */
export const UI_PATHS: readonly string[] = [...UI_ROUTES.map((route) => route.path), '/ui/*'];

/** True for a path the UI serves (a page or a file under /ui/). */
export function isUiPath(path: string): boolean {
  return UI_PATHS.some((template) =>
    new RegExp(`^${template.replace(/:[^/]+/g, '[^/]+').replace('*', '.*')}$`).test(path),
  );
}

/** `/v1/webhooks/{id}` for `/v1/webhooks/wh_1`: the documented path a concrete one falls under. */
export function documentedPath(paths: readonly string[], path: string): string | undefined {
  const matching = paths.filter((template) =>
    new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path),
  );
  // A literal segment beats a parameter (/v1/remediations/rules before /v1/remediations/{id}).
  const params = (template: string) => (template.match(/\{/g) ?? []).length;
  return matching.sort((a, b) => params(a) - params(b))[0];
}

/**
 * What the document does not describe about this answer (null when it all is): the
 * route, the status, the content type or the body, each named in the message.
 */
export async function undocumentedAnswer(
  method: string,
  url: string,
  response: Response,
): Promise<string | null> {
  const { document, compiler, validators } = state();
  const path = decodedPath(new URL(url, 'http://localhost').pathname);
  const verb = method.toUpperCase();
  if (isUiPath(path)) return null;
  const template = documentedPath(Object.keys(document.paths), path);
  const operation =
    template === undefined ? undefined : document.paths[template]?.[method.toLowerCase()];
  const text = await response.clone().text();
  if (!operation) {
    // No such route: the not-found answer is the same for every path.
    if (response.status === 404 && isErrorBody(text)) return null;
    return `${verb} ${path} is not in the OpenAPI document (api/openapi.ts) but answered ${response.status}`;
  }
  const name = `${verb} ${template} (${path})`;
  const described = operation.responses[String(response.status)];
  if (!described) {
    return `${name} answered ${response.status}, which api/openapi.ts does not list for it (it lists ${Object.keys(operation.responses).join(', ')}); body: ${text.slice(0, 300)}`;
  }
  if (!described.content) {
    return text === ''
      ? null
      : `${name} answered ${response.status} with a body, but api/openapi.ts describes none: ${text.slice(0, 300)}`;
  }
  const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const content = described.content[type];
  if (!content) {
    return `${name} answered ${response.status} as "${type}", but api/openapi.ts describes ${Object.keys(described.content).join(', ')}`;
  }
  if (type !== 'application/json') return null;
  let validate = validators.get(content.schema);
  if (!validate) {
    validate = compiler.compile(content.schema);
    validators.set(content.schema, validate);
  }
  if (validate(JSON.parse(text))) return null;
  const problems = (validate.errors ?? []).map(
    (error) => `${error.instancePath || '/'} ${error.message ?? ''}`,
  );
  return `${name} answered ${response.status} with a body its schema in api/openapi.ts does not describe: ${problems.slice(0, 5).join('; ')}; body: ${text.slice(0, 300)}`;
}

function decodedPath(path: string): string {
  try {
    return decodeURI(path);
  } catch {
    return path; // malformed percent-encoding: matched as sent
  }
}

function isErrorBody(text: string): boolean {
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown };
    return typeof body.error === 'string' && typeof body.message === 'string';
  } catch {
    return false;
  }
}
