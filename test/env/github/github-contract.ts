import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { cacheDir } from '../tools/tool-paths.js';

// openapi-backend and ajv-formats are CommonJS; createRequire sidesteps their default-export shapes.
const require = createRequire(import.meta.url);

const INSTALLER = 'test/env/install-github-openapi.sh';

/** One operation of GitHub's REST API as its description names it, e.g. `checks/create`. */
export interface MatchedOperation {
  operationId: string;
  method: string;
  /** The description's path template, e.g. `/repos/{owner}/{repo}/check-runs`. */
  template: string;
  /** Path parameters, URL-decoded (`path` of `repos/get-content` may hold slashes). */
  params: Record<string, string>;
}

export interface ContractRequest {
  method: string;
  /** Path without the query string, as sent. */
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/**
 * GitHub's published OpenAPI description (api.github.com, from `@octokit/openapi`), loaded once per
 * process, with the checks the fake holds requests and responses to.
 */
export interface GitHubContract {
  /** The pinned description's version, e.g. "23.0.2"'s `info.version`. */
  version: string;
  /** The operation `method path` calls, or undefined when GitHub has no such endpoint. */
  match(method: string, path: string): MatchedOperation | undefined;
  /** True when GitHub has some operation at `path`, whatever the method. */
  hasPath(path: string): boolean;
  /** Schema errors of a request to `op` (params, query, headers, body), as readable lines; [] if valid. */
  validateRequest(op: MatchedOperation, request: ContractRequest): string[];
  /** Schema errors of a response body to `operationId` with `status`; [] if valid or undescribed. */
  validateResponse(operationId: string, status: number, body: unknown): string[];
  /** A deep copy of one of the description's example responses for `operationId` (first 2xx). */
  example(operationId: string, name?: string): unknown;
}

/** Thrown when the description is not installed; says how to install it. */
export class MissingGitHubDescriptionError extends Error {
  constructor(readonly path: string) {
    super(`GitHub's OpenAPI description is not installed (no ${path}). Install it with: bash ${INSTALLER}`);
    this.name = 'MissingGitHubDescriptionError';
  }
}

/** Where the installer puts `api.github.com.json`. */
export function githubDescriptionPath(): string {
  return join(cacheDir(), 'github-openapi', 'api.github.com.json');
}

let loading: Promise<GitHubContract> | undefined;

/**
 * Loads the description (about 0.5 s and 300 MB of heap the first time; shared by every fake in the
 * process afterwards).
 *
 * @example
 *   const contract = await loadGitHubContract();
 *   contract.match('POST', '/repos/acme/flows/check-runs')?.operationId; // 'checks/create'
 */
export function loadGitHubContract(path = githubDescriptionPath()): Promise<GitHubContract> {
  loading ??= buildContract(path).catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}

interface Route {
  operationId: string;
  method: string;
  template: string;
  regex: RegExp;
  names: string[];
  /** Parameters marked `x-multi-segment` (they may hold `/`). */
  multi: Set<string>;
}

type Json = Record<string, unknown>;

async function buildContract(path: string): Promise<GitHubContract> {
  if (!existsSync(path)) throw new MissingGitHubDescriptionError(path);
  const definition = JSON.parse(await readFile(path, 'utf8')) as Json;
  // Examples are read from an untouched copy: the validator dereferences the definition in place.
  const pristine = structuredClone(definition);
  fixDescriptionErrata(definition);
  openApiNullableToJsonSchema(definition);

  const openapiBackend = require('openapi-backend') as { OpenAPIBackend: new (opts: unknown) => Backend };
  const addFormats = require('ajv-formats') as (ajv: unknown) => unknown;
  const api = new openapiBackend.OpenAPIBackend({
    definition,
    strict: false,
    quick: true,
    validate: true,
    // date-time, uri, email... are checked rather than ignored with a warning per schema.
    customizeAjv: (ajv: unknown) => {
      addFormats(ajv);
      return ajv;
    },
  });
  await api.init();

  const routes = buildRoutes(pristine);
  const byId = new Map(routes.map((r) => [r.operationId, r]));

  const match = (method: string, rawPath: string): MatchedOperation | undefined => {
    const m = method.toLowerCase();
    let best: { route: Route; values: string[]; literal: number } | undefined;
    for (const route of routes) {
      if (route.method !== m) continue;
      const found = route.regex.exec(rawPath);
      if (!found) continue;
      // The most literal template wins: /repos/{o}/{r}/pulls/comments over /repos/{o}/{r}/pulls/{n}.
      const literal = route.template.replace(/\{[^}]+\}/g, '').length;
      if (!best || literal > best.literal) best = { route, values: found.slice(1), literal };
    }
    if (!best) return undefined;
    const params: Record<string, string> = {};
    best.route.names.forEach((name, i) => (params[name] = safeDecode(best.values[i] ?? '')));
    return { operationId: best.route.operationId, method: m, template: best.route.template, params };
  };

  return {
    version: String((pristine.info as Json | undefined)?.version ?? 'unknown'),
    match,
    hasPath: (rawPath) => routes.some((r) => r.regex.test(rawPath)),
    validateRequest(op, request) {
      // openapi-backend re-parses path parameters by splitting on '/': hand it the multi-segment values
      // as one encoded segment (never empty, which no template matches).
      const route = byId.get(op.operationId);
      const path = route ? fillTemplate(route, op.params) : request.path;
      const result = api.validateRequest({ method: op.method, path, query: request.query, headers: request.headers, body: request.body }, op.operationId);
      return (result.errors ?? []).map(formatAjvError);
    },
    validateResponse(operationId, status, body) {
      const result = api.validateResponse(body, operationId, status);
      return (result.errors ?? []).map(formatAjvError);
    },
    example(operationId, name) {
      const route = byId.get(operationId);
      if (!route) throw new Error(`unknown operation ${operationId}`);
      const op = ((pristine.paths as Json)[route.template] as Json)[route.method] as Json;
      const responses = op.responses as Record<string, unknown>;
      const success = Object.keys(responses).find((code) => code.startsWith('2'));
      const response = resolveRef(pristine, success ? responses[success] : undefined) as Json | undefined;
      const content = (response?.content as Json | undefined)?.['application/json'] as Json | undefined;
      const examples = (content?.examples ?? {}) as Record<string, unknown>;
      const key = name ?? Object.keys(examples)[0];
      const example = resolveRef(pristine, key ? examples[key] : undefined) as Json | undefined;
      if (!example || !('value' in example)) throw new Error(`no example response for ${operationId}${name ? ` named ${name}` : ''}`);
      return structuredClone(example.value);
    },
  };
}

interface Backend {
  init(): Promise<unknown>;
  validateRequest(req: unknown, operation: string): { errors?: AjvError[] | null };
  validateResponse(res: unknown, operation: string, status: number): { errors?: AjvError[] | null };
}

interface AjvError {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

function buildRoutes(definition: Json): Route[] {
  const routes: Route[] = [];
  for (const [template, item] of Object.entries(definition.paths as Record<string, Json>)) {
    const shared = (item.parameters ?? []) as unknown[];
    for (const [method, op] of Object.entries(item)) {
      if (!isHttpMethod(method)) continue;
      const operation = op as Json;
      const multi = new Set<string>();
      for (const p of [...shared, ...((operation.parameters ?? []) as unknown[])]) {
        const param = resolveRef(definition, p) as Json | undefined;
        if (param?.in === 'path' && param['x-multi-segment'] === true) multi.add(String(param.name));
      }
      const names: string[] = [];
      const pattern = template
        .split(/(\{[^}]+\})/)
        .map((part) => {
          const name = /^\{([^}]+)\}$/.exec(part)?.[1];
          if (!name) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          names.push(name);
          // A multi-segment parameter may be empty (the repository root of repos/get-content).
          return multi.has(name) ? '(.*)' : '([^/]+)';
        })
        .join('')
        // `/contents/{path}` with an empty path is also sent as `/contents`.
        .replace(/\/\(\.\*\)$/, '(?:/(.*))?');
      routes.push({
        operationId: String(operation.operationId),
        method,
        template,
        regex: new RegExp(`^${pattern}/?$`),
        names,
        multi,
      });
    }
  }
  return routes;
}

function fillTemplate(route: Route, params: Record<string, string>): string {
  return route.template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params[name] ?? '';
    return encodeURIComponent(route.multi.has(name) && value === '' ? '.' : value);
  });
}

function isHttpMethod(key: string): boolean {
  return ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'].includes(key);
}

function resolveRef(root: Json, node: unknown): unknown {
  let current = node;
  for (let depth = 0; depth < 20 && current && typeof current === 'object' && '$ref' in current; depth++) {
    const ref = String((current as Json).$ref);
    current = ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((value, key) => (value as Json | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], root);
  }
  return current;
}

/**
 * Places where GitHub's description contradicts GitHub's own answers, found by validating real-shaped
 * responses. Each fix is as narrow as the mistake:
 * - An installation's `account` is "a user or an enterprise", but where the description inlines it
 *   (apps/list-installations) it says `allOf` (both at once), which no account satisfies.
 */
function fixDescriptionErrata(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) fixDescriptionErrata(item);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const schema = node as Json;
  for (const value of Object.values(schema)) fixDescriptionErrata(value);
  const all = schema.allOf;
  if (Array.isArray(all) && all.length === 2) {
    const titles = all.map((s) => (s as Json | undefined)?.title);
    if (titles.includes('Simple User') && titles.includes('Enterprise')) {
      schema.anyOf = all;
      delete schema.allOf;
    }
  }
}

/**
 * OpenAPI 3.0 writes "this or null" as `nullable: true` beside `allOf`/`anyOf` without a `type`, which
 * ajv refuses to compile; JSON Schema says the same thing as `anyOf: [schema, {type: 'null'}]`.
 */
function openApiNullableToJsonSchema(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) openApiNullableToJsonSchema(item);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const schema = node as Json;
  for (const value of Object.values(schema)) openApiNullableToJsonSchema(value);
  // GitHub writes "one of these or null" as nullable + an enum without null (check-run conclusion);
  // ajv reads the enum strictly, so null must be listed.
  if (schema.nullable === true && Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum.push(null);
  if (schema.nullable === true && schema.type === undefined && schema.$ref === undefined) {
    const { nullable: _nullable, description, ...rest } = schema;
    for (const key of Object.keys(schema)) delete schema[key];
    if (description !== undefined) schema.description = description;
    schema.anyOf = [rest, { type: 'null' }];
  }
}

function formatAjvError(error: AjvError): string {
  const where = error.instancePath || '/';
  const params = error.params && Object.keys(error.params).length ? ` ${JSON.stringify(error.params)}` : '';
  return `${where} ${error.message ?? 'is invalid'}${params}`;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
