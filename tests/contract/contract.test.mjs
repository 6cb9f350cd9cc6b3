// The contract between the server and its OpenAPI description. The real `aic serve`, on a
// fresh SQLite database, is called on every documented operation, in success and in error;
// every answer must have a documented status, a documented media type, the headers marked
// required, and a body that the schema documented for that status accepts (JSON Schema
// 2020-12, ajv in strict mode). Response objects are closed (additionalProperties: false), so
// a member the schema does not declare fails too.
//
// The AI gateway's routes answer through aic_mock_provider (tests/support), configured in a
// config file (processes.mjs).
//
//   AIC_BINARY_PATH=build/debug/aic AIC_MOCK_PROVIDER_PATH=build/debug/tests/support/aic_mock_provider \
//     node --test contract.test.mjs                                     (ctest -R contract)
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';

import { createServer } from 'node:http';

import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { Webhook } from 'standardwebhooks';

import { pushFault, startListening, stop, writeGatewayConfig } from './processes.mjs';

const binary = process.env.AIC_BINARY_PATH;
const mockBinary = process.env.AIC_MOCK_PROVIDER_PATH;
const kComponents = 'urn:aic:openapi:components';
const kFreePlanPerMinute = 3;

let directory;
let env;
let server;
let mock;
let base;
let documentText;
let doc;
let ajv;
const validators = new Map();
const called = new Map(); // "GET /v1/api-keys" → set of statuses seen

// Credentials made before the server starts, with the CLI an operator would use.
const keys = {};

async function aic(...args) {
  const { stdout } = await promisify(execFile)(binary, args, { env, timeout: 60_000 });
  return stdout;
}

// Schema references point into components/schemas; ajv gets them as $defs of one schema.
function rewriteReferences(value) {
  if (Array.isArray(value)) return value.map(rewriteReferences);
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [key, member] of Object.entries(value)) {
    if (key === '$ref' && typeof member === 'string' && member.startsWith('#/components/schemas/')) {
      out[key] = `${kComponents}#/$defs/${member.slice('#/components/schemas/'.length)}`;
    } else {
      out[key] = rewriteReferences(member);
    }
  }
  return out;
}

function validate(schema, value, label) {
  const key = JSON.stringify(schema);
  let check = validators.get(key);
  if (!check) {
    check = ajv.compile(rewriteReferences(schema));
    validators.set(key, check);
  }
  if (!check(value)) {
    assert.fail(`${label}: the body does not match its schema: ${ajv.errorsText(check.errors)}\n` +
                JSON.stringify(value).slice(0, 600));
  }
}

function resolveResponse(response) {
  const prefix = '#/components/responses/';
  if (response.$ref?.startsWith(prefix)) return doc.components.responses[response.$ref.slice(prefix.length)];
  return response;
}

function isJson(mediaType) {
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}

// Checks one answer against the document, and records that the operation was called.
function checkAnswer(method, template, { status, headers, text }) {
  const operation = doc.paths[template]?.[method.toLowerCase()];
  assert.ok(operation, `${method} ${template} is not documented`);
  const label = `${method} ${template} → ${status}`;
  const name = `${method} ${template}`;
  if (!called.has(name)) called.set(name, new Set());
  called.get(name).add(status);

  const documented = operation.responses[String(status)];
  assert.ok(documented, `${label}: this status is not documented (body: ${text.slice(0, 300)})`);
  const response = resolveResponse(documented);
  assert.ok(response, `${label}: dangling ${documented.$ref}`);
  for (const [header, spec] of Object.entries(response.headers ?? {})) {
    if (spec.required) assert.ok(headers.has(header), `${label}: header ${header} is missing`);
  }
  if (!response.content) {
    assert.equal(text, '', `${label}: documented without a body`);
    return;
  }
  const mediaType = (headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  const media = response.content[mediaType];
  assert.ok(media, `${label}: Content-Type "${mediaType}" is not documented ` +
                   `(${Object.keys(response.content).join(', ')})`);
  if (media['x-aic-item-schema']) {
    const lines = text.split('\n');
    assert.equal(lines.pop(), '', `${label}: JSON Lines end with a newline`);
    lines.forEach((line, index) =>
      validate(media['x-aic-item-schema'], JSON.parse(line), `${label} line ${index + 1}`));
  } else if (isJson(mediaType)) {
    validate(media.schema, JSON.parse(text), label);
  } else {
    validate(media.schema, text, label);
  }
}

// One request; the answer is checked against the document before the test sees it.
async function call(method, template,
                    { params = {}, query, token, json, body, contentType, headers: extra } = {}) {
  let path = template.replace(/\{(\w+)\}/g, (_, name) => encodeURIComponent(params[name]));
  if (query) path += `?${new URLSearchParams(query)}`;
  const headers = { ...extra };
  if (token) headers.authorization = `Bearer ${token}`;
  let payload;
  if (json !== undefined) {
    payload = JSON.stringify(json);
    headers['content-type'] = 'application/json';
  }
  if (body !== undefined) payload = body;
  if (contentType) headers['content-type'] = contentType;
  const response = await fetch(base + path, {
    method, headers, body: payload, signal: AbortSignal.timeout(15_000),
  });
  const answer = { status: response.status, headers: response.headers, text: await response.text() };
  checkAnswer(method, template, answer);
  answer.json = () => JSON.parse(answer.text);
  return answer;
}

before(async () => {
  assert.ok(binary, 'set AIC_BINARY_PATH to the aic binary');
  assert.ok(mockBinary, 'set AIC_MOCK_PROVIDER_PATH to the aic_mock_provider binary');
  directory = mkdtempSync(join(tmpdir(), 'aic-contract-'));
  env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AIC_')));
  Object.assign(env, {
    AIC_DATABASE_URL: `sqlite://${join(directory, 'aic.db')}`,
    AIC_LISTEN: '127.0.0.1:0',
    AIC_LOG_LEVEL: 'warn',
    AIC_LOG_ACCESS: 'false',
    AIC_RATE_LIMITS_FREE: String(kFreePlanPerMinute),
    // The webhook receiver below listens on loopback, which deliveries refuse by default.
    AIC_WEBHOOKS_ALLOW_ADDRESSES: '127.0.0.0/8',
    AIC_WEBHOOKS_POLL_INTERVAL: '50ms',
    // Tenants' provider keys are sealed with it; their providers may reach the mock on loopback.
    AIC_MASTER_KEY: 'ab'.repeat(32),
    AIC_AI_TENANT_ALLOW_ADDRESSES: '127.0.0.0/8',
  });

  keys.operator = JSON.parse(await aic('admin', 'bootstrap', '--json')).operator_api_key;
  const owner = JSON.parse(await aic('admin', 'create-tenant', '--name', 'Contract Co',
                                     '--owner-email', 'owner@contract.example', '--json'));
  keys.owner = owner.owner_api_key;
  keys.tenantId = owner.tenant_id;
  const free = JSON.parse(await aic('admin', 'create-tenant', '--name', 'Free Co', '--plan', 'free',
                                    '--owner-email', 'owner@free.example', '--json'));
  keys.freeOwner = free.owner_api_key;

  mock = await startListening(mockBinary, [], { stdin: 'pipe' });
  const configFile = join(directory, 'aic.toml');
  writeGatewayConfig(configFile, mock.url);
  server = await startListening(binary, ['-c', configFile, 'serve'], { env });
  base = server.url;
  const served = await fetch(`${base}/v1/openapi.json`);
  documentText = await served.text();
  assert.equal(served.status, 200, 'GET /v1/openapi.json: does `aic serve` register the docs ' +
                                   `routes (api::docs::add_docs_routes)?\n${documentText}`);
  doc = JSON.parse(documentText);

  ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  ajv.addSchema({ $id: kComponents, $defs: rewriteReferences(doc.components.schemas) });
});

after(async () => {
  if (server) {
    const code = await stop(server.child);
    assert.equal(code, 0, `aic serve did not drain and exit 0 on SIGTERM:\n${server.output()}`);
  }
  if (mock) await stop(mock.child);
  if (directory) rmSync(directory, { recursive: true, force: true });
});

test('the served document is the one `aic openapi` prints', async () => {
  assert.deepEqual(JSON.parse(await aic('openapi')), doc);
  assert.equal(doc.openapi, '3.1.0');
});

test('every component schema compiles in strict mode', () => {
  for (const name of Object.keys(doc.components.schemas)) {
    assert.ok(ajv.getSchema(`${kComponents}#/$defs/${name}`), name);
  }
});

test('operational and meta routes', async () => {
  assert.equal((await call('GET', '/healthz')).status, 200);
  assert.equal((await call('GET', '/readyz')).status, 200);
  assert.match((await call('GET', '/metrics')).text, /aic_http_requests_total/);
  assert.equal((await call('GET', '/v1/version')).status, 200);
  assert.equal((await call('GET', '/v1/openapi.json')).text, documentText);
  const page = await call('GET', '/docs');
  assert.equal(page.status, 200);
  assert.match(page.text, /<!doctype html>/);
});

test('tenants', async () => {
  const created = await call('POST', '/v1/tenants', {
    token: keys.operator,
    json: { name: 'Second Co', owner_email: 'owner@second.example', slug: 'second-co', plan: 'enterprise' },
  });
  assert.equal(created.status, 201);
  const tenantId = created.json().tenant_id;

  assert.equal((await call('GET', '/v1/tenants', { token: keys.operator })).json().data.length, 3);
  assert.equal((await call('GET', '/v1/tenants/{tenant_id}', {
    token: keys.operator, params: { tenant_id: tenantId } })).status, 200);

  // Errors: conflict, not found, bad body, wrong media type, no credential, wrong role.
  assert.equal((await call('POST', '/v1/tenants', {
    token: keys.operator, json: { name: 'Again', owner_email: 'x@second.example', slug: 'second-co' },
  })).status, 409);
  assert.equal((await call('GET', '/v1/tenants/{tenant_id}', {
    token: keys.operator, params: { tenant_id: 'ten_0000000000000000' } })).status, 404);
  const missing = await call('POST', '/v1/tenants', { token: keys.operator, json: { name: 'No Owner' } });
  assert.equal(missing.status, 400);
  assert.equal(missing.json().field, '/owner_email');
  assert.equal((await call('POST', '/v1/tenants', {
    token: keys.operator, body: 'name=x', contentType: 'application/x-www-form-urlencoded' })).status, 415);
  assert.equal((await call('GET', '/v1/tenants')).status, 401);
  assert.equal((await call('GET', '/v1/tenants', { token: keys.owner })).status, 403);
});

test('api keys', async () => {
  const created = await call('POST', '/v1/api-keys', {
    token: keys.owner,
    json: { name: 'ci', role: 'viewer', expires_at: '2099-01-01T00:00:00Z' },
  });
  assert.equal(created.status, 201);
  const { id } = created.json();
  const viewer = (await call('POST', '/v1/api-keys', {
    token: keys.owner, json: { name: 'reader', role: 'viewer', rate_limit_per_minute: 100 },
  })).json().token;

  assert.ok((await call('GET', '/v1/api-keys', { token: keys.owner })).json().data.length >= 2);
  assert.equal((await call('GET', '/v1/api-keys/{key_id}', { token: keys.owner, params: { key_id: id } })).status, 200);

  const rotated = await call('POST', '/v1/api-keys/{key_id}/rotate', {
    token: keys.owner, params: { key_id: id }, json: { grace_period_seconds: 0 },
  });
  assert.equal(rotated.status, 201);
  const rotatedId = rotated.json().id;
  // Rotating twice conflicts.
  assert.equal((await call('POST', '/v1/api-keys/{key_id}/rotate', {
    token: keys.owner, params: { key_id: id } })).status, 409);

  assert.equal((await call('DELETE', '/v1/api-keys/{key_id}', {
    token: keys.owner, params: { key_id: rotatedId } })).status, 200);
  assert.equal((await call('DELETE', '/v1/api-keys/{key_id}', {
    token: keys.owner, params: { key_id: rotatedId } })).status, 200);

  // Errors.
  for (const json of [{ name: 'x' }, { name: 'x', role: 'viewer', id: 'mine' }, { name: 'x', role: 'root' }]) {
    assert.equal((await call('POST', '/v1/api-keys', { token: keys.owner, json })).status, 400, JSON.stringify(json));
  }
  assert.equal((await call('POST', '/v1/api-keys', { token: keys.owner, body: '{"name":', contentType: 'application/json' })).status, 400);
  assert.equal((await call('POST', '/v1/api-keys', { token: keys.owner, body: 'x', contentType: 'text/plain' })).status, 415);
  assert.equal((await call('GET', '/v1/api-keys/{key_id}', { token: keys.owner, params: { key_id: 'nope' } })).status, 404);
  assert.equal((await call('DELETE', '/v1/api-keys/{key_id}', { token: keys.owner, params: { key_id: 'nope' } })).status, 404);
  assert.equal((await call('GET', '/v1/api-keys')).status, 401);
  assert.equal((await call('GET', '/v1/api-keys', { token: 'not-a-key' })).status, 401);
  assert.equal((await call('POST', '/v1/api-keys', { token: viewer, json: { name: 'x', role: 'viewer' } })).status, 403);
  assert.equal((await call('POST', '/v1/api-keys', { token: keys.operator, json: { name: 'x', role: 'viewer' } })).status, 403);
});

test('service accounts and OAuth2 access tokens', async () => {
  const created = await call('POST', '/v1/service-accounts', {
    token: keys.owner, json: { name: 'billing-sync', role: 'admin' },
  });
  assert.equal(created.status, 201);
  const account = created.json();
  assert.ok((await call('GET', '/v1/service-accounts', { token: keys.owner })).json().data.length >= 1);
  assert.equal((await call('GET', '/v1/service-accounts/{account_id}', {
    token: keys.owner, params: { account_id: account.id } })).status, 200);

  // The client authenticates in the form, or with HTTP Basic (each half form-encoded).
  const form = (fields) => ({
    body: new URLSearchParams(fields).toString(), contentType: 'application/x-www-form-urlencoded',
  });
  const grant = { grant_type: 'client_credentials' };
  const issued = await call('POST', '/oauth/token', form({
    ...grant, client_id: account.client_id, client_secret: account.client_secret }));
  assert.equal(issued.status, 200);
  const basic = Buffer.from(`${encodeURIComponent(account.client_id)}:` +
                            `${encodeURIComponent(account.client_secret)}`).toString('base64');
  assert.equal((await call('POST', '/oauth/token', {
    ...form({ ...grant, scope: 'api_keys:read' }), headers: { authorization: `Basic ${basic}` },
  })).status, 200);
  // The access token is a bearer credential like an API key.
  assert.equal((await call('GET', '/v1/api-keys', { token: issued.json().access_token })).status, 200);
  assert.ok((await call('GET', '/.well-known/jwks.json')).json().keys.length >= 1);

  // Errors, each in the shape the document gives it.
  const wrong = await call('POST', '/oauth/token', form({
    ...grant, client_id: account.client_id, client_secret: 'wrong' }));
  assert.equal(wrong.status, 401);
  assert.equal(wrong.json().error, 'invalid_client');
  assert.equal((await call('POST', '/oauth/token', form(grant))).status, 401);
  assert.equal((await call('POST', '/oauth/token', form({ grant_type: 'password' }))).status, 400);
  assert.equal((await call('POST', '/oauth/token', form({
    ...grant, scope: 'tenants:manage', client_id: account.client_id, client_secret: account.client_secret,
  }))).status, 400);
  assert.equal((await call('POST', '/oauth/token', { json: grant })).status, 415);
  assert.equal((await call('POST', '/v1/service-accounts', {
    token: keys.owner, json: { name: 'x', role: 'owner', client_secret: 'mine' } })).status, 400);
  assert.equal((await call('GET', '/v1/service-accounts/{account_id}', {
    token: keys.owner, params: { account_id: 'sa_missing' } })).status, 404);
  assert.equal((await call('GET', '/v1/service-accounts', { token: keys.operator })).status, 403);

  assert.equal((await call('DELETE', '/v1/service-accounts/{account_id}', {
    token: keys.owner, params: { account_id: account.id } })).status, 200);
  assert.equal((await call('POST', '/oauth/token', form({
    ...grant, client_id: account.client_id, client_secret: account.client_secret }))).status, 401);
  assert.equal((await call('DELETE', '/v1/service-accounts/{account_id}', {
    token: keys.owner, params: { account_id: 'sa_missing' } })).status, 404);
});

test('audit events', async () => {
  const first = await call('GET', '/v1/audit-events', { token: keys.owner, query: { limit: '2' } });
  assert.equal(first.status, 200);
  const page = first.json();
  assert.equal(page.data.length, 2);
  assert.ok(page.next_cursor);
  const next = await call('GET', '/v1/audit-events', {
    token: keys.owner, query: { limit: '2', cursor: page.next_cursor, outcome: 'success' },
  });
  assert.equal(next.status, 200);
  assert.equal((await call('GET', '/v1/audit-events', { token: keys.operator })).status, 200);

  const exported = await call('GET', '/v1/audit-events/export', { token: keys.owner, query: { limit: '3' } });
  assert.equal(exported.status, 200);
  assert.equal(exported.text.trim().split('\n').length, 3);
  assert.ok(exported.headers.get('aic-next-after'));

  for (const query of [{ limit: '0' }, { outcome: 'maybe' }, { since: 'yesterday' }, { unknown: '1' }]) {
    assert.equal((await call('GET', '/v1/audit-events', { token: keys.owner, query })).status, 400, JSON.stringify(query));
  }
  assert.equal((await call('GET', '/v1/audit-events/export', { token: keys.owner, query: { after: '-1' } })).status, 400);
  assert.equal((await call('GET', '/v1/audit-events')).status, 401);
});

test('users, with versions as ETags', async () => {
  const created = await call('POST', '/v1/users', {
    token: keys.owner, json: { email: 'ana@contract.example', role: 'analyst' },
  });
  assert.equal(created.status, 201);
  const user = created.json();
  assert.equal(created.headers.get('etag'), `"${user.version}"`);

  const first = await call('GET', '/v1/users', { token: keys.owner, query: { limit: '1' } });
  assert.ok(first.json().next_cursor);
  const rest = await call('GET', '/v1/users', {
    token: keys.owner, query: { limit: '1', cursor: first.json().next_cursor } });
  assert.equal(rest.status, 200);
  const owner = [...first.json().data, ...rest.json().data].find((each) => each.role === 'owner');
  assert.ok(owner);
  const fetched = await call('GET', '/v1/users/{user_id}', { token: keys.owner, params: { user_id: user.id } });
  assert.equal(fetched.status, 200);

  const changed = await call('PATCH', '/v1/users/{user_id}', {
    token: keys.owner, params: { user_id: user.id }, json: { role: 'viewer' },
    headers: { 'if-match': fetched.headers.get('etag') },
  });
  assert.equal(changed.status, 200);
  assert.equal(changed.json().role, 'viewer');
  // The version it was based on is gone now.
  assert.equal((await call('PATCH', '/v1/users/{user_id}', {
    token: keys.owner, params: { user_id: user.id }, json: { role: 'analyst' },
    headers: { 'if-match': fetched.headers.get('etag') },
  })).status, 412);
  assert.equal((await call('PATCH', '/v1/users/{user_id}', {
    token: keys.owner, params: { user_id: user.id }, json: { role: 'analyst' },
    headers: { 'if-match': 'yesterday' },
  })).status, 400);
  assert.equal((await call('PATCH', '/v1/users/{user_id}', {
    token: keys.owner, params: { user_id: user.id }, json: { email: 'new@contract.example' },
  })).status, 400);
  assert.equal((await call('POST', '/v1/users', {
    token: keys.owner, json: { email: 'ana@contract.example', role: 'viewer' } })).status, 409);
  assert.equal((await call('GET', '/v1/users/{user_id}', {
    token: keys.owner, params: { user_id: 'usr_missing' } })).status, 404);
  assert.equal((await call('GET', '/v1/users', { token: keys.operator })).status, 403);

  assert.equal((await call('DELETE', '/v1/users/{user_id}', {
    token: keys.owner, params: { user_id: user.id } })).status, 200);
  // The last active owner stays.
  assert.equal((await call('DELETE', '/v1/users/{user_id}', {
    token: keys.owner, params: { user_id: owner.id } })).status, 409);
});

test('custom roles', async () => {
  const listed = await call('GET', '/v1/roles', { token: keys.owner });
  assert.equal(listed.status, 200);
  assert.ok(listed.json().data.some((role) => role.name === 'owner' && role.builtin));
  const created = await call('POST', '/v1/roles', {
    token: keys.owner, json: { name: 'contract_auditor', permissions: ['audit:read'] },
  });
  assert.equal(created.status, 201);
  assert.equal((await call('POST', '/v1/roles', {
    token: keys.owner, json: { name: 'contract_auditor', permissions: ['audit:read'] },
  })).status, 409);
  assert.equal((await call('POST', '/v1/roles', {
    token: keys.owner, json: { name: 'x', permissions: ['no:such'] },
  })).status, 400);
  assert.equal((await call('DELETE', '/v1/roles/{role_name}', {
    token: keys.owner, params: { role_name: 'contract_auditor' } })).status, 200);
  assert.equal((await call('DELETE', '/v1/roles/{role_name}', {
    token: keys.owner, params: { role_name: 'contract_auditor' } })).status, 404);
});

test('entities and bank-file imports', async () => {
  const created = await call('POST', '/v1/entities', {
    token: keys.owner, json: { name: 'Contract Holdings BV', currency: 'EUR', country: 'NL' },
  });
  assert.equal(created.status, 201);
  const entity = created.json();
  assert.equal((await call('GET', '/v1/entities', { token: keys.owner })).status, 200);
  assert.equal((await call('GET', '/v1/entities/{entity_id}', {
    token: keys.owner, params: { entity_id: entity.id } })).status, 200);
  assert.equal((await call('POST', '/v1/entities', {
    token: keys.owner, json: { name: 'x', currency: 'euro' } })).status, 400);

  // A real ABN AMRO statement file (two statements, ten entries).
  const file = readFileSync(new URL('../../../shared/data/mt940/jejik/abnamro.sta', import.meta.url));
  const imported = await call('POST', '/v1/entities/{entity_id}/imports', {
    token: keys.owner, params: { entity_id: entity.id }, query: { format: 'mt940' },
    body: file, contentType: 'application/octet-stream',
  });
  assert.equal(imported.status, 201);
  assert.equal(imported.json().added, 10);
  const broken = await call('POST', '/v1/entities/{entity_id}/imports', {
    token: keys.owner, params: { entity_id: entity.id }, query: { format: 'mt940' },
    body: ':20:X\n:25:1\n:60F:C241301EUR1,\n', contentType: 'application/octet-stream',
  });
  assert.equal(broken.status, 400);
  assert.equal(broken.json().line, 3);
  const listed = await call('GET', '/v1/entities/{entity_id}/bank-transactions', {
    token: keys.owner, params: { entity_id: entity.id } });
  assert.equal(listed.status, 200);
  assert.equal(listed.json().data.length, 10);

  // A real filer's XBRL facts, then every score of its latest fiscal year.
  const facts = readFileSync(new URL('../../../shared/data/edgar/snow_facts.json', import.meta.url));
  const statements = await call('POST', '/v1/entities/{entity_id}/imports', {
    token: keys.owner, params: { entity_id: entity.id }, query: { format: 'edgar-companyfacts' },
    body: facts, contentType: 'application/octet-stream',
  });
  assert.equal(statements.status, 201);
  assert.ok(statements.json().added > 0);
  const periods = await call('GET', '/v1/entities/{entity_id}/statements', {
    token: keys.owner, params: { entity_id: entity.id }, query: { length: 'quarter' } });
  assert.equal(periods.status, 200);
  assert.ok(periods.json().data.every((period) => period.length === 'quarter'));
  const scores = await call('GET', '/v1/entities/{entity_id}/scores', {
    token: keys.owner, params: { entity_id: entity.id } });
  assert.equal(scores.status, 200);
  assert.equal(typeof scores.json().health.score, 'number');
  assert.equal((await call('GET', '/v1/entities/{entity_id}/scores', {
    token: keys.owner, params: { entity_id: entity.id }, query: { period_end: '2025-02-30' },
  })).status, 400);

  // News, then everything computed from the entity's data.
  const news = await call('POST', '/v1/entities/{entity_id}/imports', {
    token: keys.owner, params: { entity_id: entity.id }, query: { format: 'news-json' },
    body: JSON.stringify([
      { headline: 'Contract Holdings wins a large order', published_at: '2025-03-01T09:00:00Z' },
      { headline: 'Contract Holdings net loss widened', published_at: '2025-03-02T09:00:00+01:00' },
    ]),
    contentType: 'application/json',
  });
  assert.equal(news.status, 201);
  assert.equal(news.json().added, 2);
  const risk = await call('GET', '/v1/entities/{entity_id}/risk', {
    token: keys.owner, params: { entity_id: entity.id } });
  assert.equal(risk.status, 200);
  assert.ok('runway' in risk.json() && 'forecasts' in risk.json());
  const sentiment = await call('GET', '/v1/entities/{entity_id}/sentiment', {
    token: keys.owner, params: { entity_id: entity.id }, query: { window_days: 30 } });
  assert.equal(sentiment.status, 200);
  assert.equal(sentiment.json().items, 2);
  const benchmark = await call('GET', '/v1/entities/{entity_id}/benchmark', {
    token: keys.owner, params: { entity_id: entity.id }, query: { peer_group: entity.id } });
  assert.equal(benchmark.status, 200);
  assert.equal(benchmark.json().peer_ids.length, 0);
  const insights = await call('GET', '/v1/entities/{entity_id}/insights', {
    token: keys.owner, params: { entity_id: entity.id } });
  assert.equal(insights.status, 200);
  assert.ok(insights.json().summary.length > 0);
  const scored = await call('POST', '/v1/sentiment/score', {
    token: keys.owner, json: { texts: ['Net sales decreased by 5 % to EUR 90 mn.'] } });
  assert.equal(scored.status, 200);
  assert.equal(scored.json().results[0].label, 'negative');

  // The model paths through the gateway; the mock answers with scripted text.
  await pushFault(mock.url, {
    kind: 'reply',
    text: JSON.stringify({ results: [
      { index: 0, label: 'negative', score: -0.6, evidence: ['Net sales decreased'] }] }),
  });
  const byModel = await call('POST', '/v1/sentiment/score', {
    token: keys.owner,
    json: { texts: ['Net sales decreased by 5 % to EUR 90 mn.'], method: 'llm', model: 'gpt-test' },
  });
  assert.equal(byModel.status, 200);
  assert.equal(byModel.json().results[0].label, 'negative');
  await pushFault(mock.url, { kind: 'reply', text: `In short: ${insights.json().summary}` });
  const rewritten = await call('GET', '/v1/entities/{entity_id}/insights', {
    token: keys.owner, params: { entity_id: entity.id },
    query: { narrative: 'ai', model: 'gpt-test' } });
  assert.equal(rewritten.status, 200);
  assert.equal(rewritten.json().ai_summary.status, 'rewritten');
  assert.equal(rewritten.json().ai_summary.text, `In short: ${insights.json().summary}`);
});

// A webhook receiver on loopback that verifies every delivery with the `standardwebhooks`
// package (an independent implementation of the signature scheme) and keeps what it got.
function startReceiver() {
  const received = [];
  let waiters = [];
  const httpServer = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk) => { body += chunk; });
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(204).end();
      for (const wake of waiters) wake();
      waiters = [];
    });
  });
  return new Promise((resolve) => {
    httpServer.listen(0, '127.0.0.1', () => {
      const url = `http://127.0.0.1:${httpServer.address().port}/hooks`;
      // The first delivery (after `from`) whose event has `type`.
      const next = async (type, from) => {
        const deadline = Date.now() + 20_000;
        for (;;) {
          const found = received.slice(from).find((each) => JSON.parse(each.body).type === type);
          if (found) return found;
          assert.ok(Date.now() < deadline, `no ${type} delivery within 20 s`);
          await new Promise((wake) => { waiters.push(wake); setTimeout(wake, 200); });
        }
      };
      resolve({ url, received, next, close: () => httpServer.close() });
    });
  });
}

test('webhook endpoints: signed deliveries any Standard Webhooks library verifies', async () => {
  const receiver = await startReceiver();
  try {
    const created = await call('POST', '/v1/webhook-endpoints', {
      token: keys.owner,
      json: { url: receiver.url, description: 'contract receiver', event_types: ['api_key.*'],
              headers: { 'x-contract': 'yes' } },
    });
    assert.equal(created.status, 201);
    const endpoint = created.json();
    assert.match(endpoint.secret, /^whsec_/);
    assert.equal(created.headers.get('etag'), `"${endpoint.version}"`);

    // A change that publishes api_key.created: delivered, signed, verifiable.
    await call('POST', '/v1/api-keys', { token: keys.owner, json: { name: 'hooked', role: 'viewer' } });
    const first = await receiver.next('api_key.created', 0);
    assert.equal(first.headers['x-contract'], 'yes');
    assert.equal(first.headers['content-type'], 'application/json');
    const verified = new Webhook(endpoint.secret).verify(first.body, first.headers);
    assert.equal(verified.type, 'api_key.created');
    assert.equal(verified.data.name, 'hooked');
    assert.throws(() => new Webhook(endpoint.secret).verify(first.body + ' ', first.headers));

    // After a rotation both secrets verify the same delivery (two signatures are sent).
    const rotated = await call('POST', '/v1/webhook-endpoints/{endpoint_id}/rotate-secret', {
      token: keys.owner, params: { endpoint_id: endpoint.id } });
    assert.equal(rotated.status, 200);
    const newSecret = rotated.json().secret;
    assert.notEqual(newSecret, endpoint.secret);
    const before = receiver.received.length;
    await call('POST', '/v1/api-keys', { token: keys.owner, json: { name: 'rotated', role: 'viewer' } });
    const second = await receiver.next('api_key.created', before);
    assert.equal(second.headers['webhook-signature'].split(' ').length, 2);
    assert.equal(new Webhook(newSecret).verify(second.body, second.headers).data.name, 'rotated');
    assert.equal(new Webhook(endpoint.secret).verify(second.body, second.headers).data.name, 'rotated');

    const tested = await call('POST', '/v1/webhook-endpoints/{endpoint_id}/test', {
      token: keys.owner, params: { endpoint_id: endpoint.id } });
    assert.equal(tested.status, 202);
    const test = await receiver.next('webhook.test', 0);
    assert.equal(new Webhook(newSecret).verify(test.body, test.headers).data.endpoint_id, endpoint.id);

    const listed = await call('GET', '/v1/webhook-endpoints', { token: keys.owner });
    assert.equal(listed.status, 200);
    assert.ok(listed.json().data.some((each) => each.id === endpoint.id));
    const fetched = await call('GET', '/v1/webhook-endpoints/{endpoint_id}', {
      token: keys.owner, params: { endpoint_id: endpoint.id } });
    assert.equal(fetched.status, 200);
    assert.equal(fetched.json().secret, undefined);
    const changed = await call('PATCH', '/v1/webhook-endpoints/{endpoint_id}', {
      token: keys.owner, params: { endpoint_id: endpoint.id },
      json: { event_types: ['*'], rate_limit_per_second: 50 },
      headers: { 'if-match': fetched.headers.get('etag') },
    });
    assert.equal(changed.status, 200);
    assert.equal((await call('PATCH', '/v1/webhook-endpoints/{endpoint_id}', {
      token: keys.owner, params: { endpoint_id: endpoint.id }, json: { description: 'stale' },
      headers: { 'if-match': fetched.headers.get('etag') },
    })).status, 412);
    assert.equal((await call('PATCH', '/v1/webhook-endpoints/{endpoint_id}', {
      token: keys.owner, params: { endpoint_id: endpoint.id }, json: { secret: 'whsec_mine' },
    })).status, 400);

    const attempts = await call('GET', '/v1/webhook-endpoints/{endpoint_id}/attempts', {
      token: keys.owner, params: { endpoint_id: endpoint.id } });
    assert.equal(attempts.status, 200);
    assert.ok(attempts.json().data.every((attempt) => attempt.succeeded && attempt.status_code === 204));
    const messages = await call('GET', '/v1/webhook-endpoints/{endpoint_id}/messages', {
      token: keys.owner, params: { endpoint_id: endpoint.id }, query: { status: 'delivered' } });
    assert.equal(messages.status, 200);
    assert.ok(messages.json().data.length >= 3);

    assert.equal((await call('POST', '/v1/webhook-endpoints/{endpoint_id}/disable', {
      token: keys.owner, params: { endpoint_id: endpoint.id } })).json().enabled, false);
    assert.equal((await call('POST', '/v1/webhook-endpoints/{endpoint_id}/test', {
      token: keys.owner, params: { endpoint_id: endpoint.id } })).status, 409);
    assert.equal((await call('POST', '/v1/webhook-endpoints/{endpoint_id}/enable', {
      token: keys.owner, params: { endpoint_id: endpoint.id } })).json().enabled, true);
    const replayed = await call('POST', '/v1/webhook-endpoints/{endpoint_id}/replay', {
      token: keys.owner, params: { endpoint_id: endpoint.id },
      json: { since: '2020-01-01T00:00:00Z' } });
    assert.equal(replayed.status, 200);
    assert.equal(replayed.json().replayed, 0);
    assert.equal((await call('POST', '/v1/webhook-endpoints', {
      token: keys.owner, json: { url: 'ftp://example.com/hooks' } })).status, 400);
    assert.equal((await call('GET', '/v1/webhook-endpoints/{endpoint_id}', {
      token: keys.owner, params: { endpoint_id: 'whe_missing' } })).status, 404);
    assert.equal((await call('DELETE', '/v1/webhook-endpoints/{endpoint_id}', {
      token: keys.owner, params: { endpoint_id: endpoint.id } })).status, 204);
  } finally {
    receiver.close();
  }
});

test('the live event stream', async () => {
  const controller = new AbortController();
  const response = await fetch(`${base}/v1/events/stream?types=api_key.*`, {
    headers: { authorization: `Bearer ${keys.owner}` }, signal: controller.signal,
  });
  assert.equal(response.status, 200);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const readUntil = async (pattern) => {
    const deadline = Date.now() + 20_000;
    while (!pattern.test(text)) {
      assert.ok(Date.now() < deadline, `stream: no ${pattern} within 20 s; got ${text}`);
      const { value, done } = await reader.read();
      assert.ok(!done, `stream ended early: ${text}`);
      text += decoder.decode(value, { stream: true });
    }
  };
  await readUntil(/retry: \d+/);
  await call('POST', '/v1/api-keys', { token: keys.owner, json: { name: 'streamed', role: 'viewer' } });
  await readUntil(/event: api_key\.created\ndata: .*"streamed"/);
  controller.abort();
  checkAnswer('GET', '/v1/events/stream', { status: 200, headers: response.headers, text });
  const id = /id: (\d+)\nevent: api_key\.created/.exec(text)[1];

  // Resuming after that event replays nothing older; a bad id is a 400 naming the header.
  const bad = await fetch(`${base}/v1/events/stream`, {
    headers: { authorization: `Bearer ${keys.owner}`, 'last-event-id': 'yesterday' } });
  const problem = await bad.json();
  assert.equal(bad.status, 400);
  assert.equal(problem.header, 'Last-Event-ID');
  checkAnswer('GET', '/v1/events/stream', { status: 400, headers: bad.headers, text: JSON.stringify(problem) });
  assert.ok(Number(id) > 0);
});

test('AI gateway', async () => {
  const chat = (json) => call('POST', '/v1/chat/completions', { token: keys.owner, json });
  const user = (content) => [{ role: 'user', content }];
  for (const model of ['gpt-test', 'claude-test', 'gemini-test', 'fast', 'smart']) {
    const answered = await chat({ model, messages: user('hello there') });
    assert.equal(answered.status, 200, model);
    assert.equal(answered.json().choices[0].message.content, 'mock reply: hello there', model);
  }
  const tool = await chat({
    model: 'gpt-test', messages: user('CALL_TOOL please'),
    tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object' } } }],
  });
  assert.equal(tool.status, 200);
  assert.equal(tool.json().choices[0].message.tool_calls[0].function.arguments, '{"city":"Oslo"}');
  const badChat = await chat({ model: 'gpt-test' });
  assert.equal(badChat.status, 400);
  assert.equal(badChat.json().error.param, 'messages');
  const unknownChat = await chat({ model: 'no-such-model', messages: user('hi') });
  assert.equal(unknownChat.status, 404);
  assert.equal(unknownChat.json().error.code, 'model_not_found');

  const messages = (json) => call('POST', '/v1/messages', { token: keys.owner, json });
  const message = await messages({ model: 'claude-test', max_tokens: 64, messages: user('hello there') });
  assert.equal(message.status, 200);
  assert.deepEqual(message.json().content, [{ type: 'text', text: 'mock reply: hello there' }]);
  const viaOpenAi = await messages({ model: 'gpt-test', max_tokens: 64, messages: user('hi') });
  assert.equal(viaOpenAi.status, 200);
  const badMessage = await messages({ model: 'claude-test', messages: user('no max_tokens') });
  assert.equal(badMessage.status, 400);
  assert.equal(badMessage.json().type, 'error');
  const unknownMessage = await messages({ model: 'no-such-model', max_tokens: 64, messages: user('hi') });
  assert.equal(unknownMessage.status, 404);
  assert.equal(unknownMessage.json().error.type, 'not_found_error');

  // With stream: true the same 200 is text/event-stream, which the document lists beside JSON.
  const streamedChat = await chat({ model: 'gemini-test', messages: user('hello there'), stream: true });
  assert.equal(streamedChat.status, 200);
  assert.equal(streamedChat.headers.get('content-type'), 'text/event-stream');
  assert.match(streamedChat.text, /data: \[DONE\]\n\n$/);
  const streamedMessage = await messages({
    model: 'claude-test', max_tokens: 64, messages: user('hello there'), stream: true });
  assert.equal(streamedMessage.status, 200);
  assert.equal(streamedMessage.headers.get('content-type'), 'text/event-stream');
  assert.match(streamedMessage.text, /event: message_stop\n/);

  const embed = (json) => call('POST', '/v1/embeddings', { token: keys.owner, json });
  for (const [model, encoding] of [['embed-test', 'float'], ['gemini-embed', 'float'], ['embed-test', 'base64']]) {
    const embedded = await embed({ model, input: ['one', 'two words'], encoding_format: encoding });
    assert.equal(embedded.status, 200, `${model} ${encoding}`);
    assert.equal(embedded.json().data.length, 2);
  }
  const badEmbed = await embed({ model: 'embed-test' });
  assert.equal(badEmbed.status, 400);
  assert.equal(badEmbed.json().error.param, 'input');
  assert.equal((await embed({ model: 'no-such-model', input: 'x' })).status, 404);
  assert.equal((await embed({ model: 'gpt-test', input: 'a chat model' })).status, 400);

  const models = await call('GET', '/v1/models', { token: keys.owner });
  assert.equal(models.status, 200);
  assert.deepEqual(models.json().data.map((each) => each.id).sort(),
                   ['claude-test', 'embed-test', 'fast', 'gemini-embed', 'gemini-test', 'gpt-test', 'smart']);
  assert.equal((await call('GET', '/v1/models')).status, 401);

  // Usage is written off the request path: poll until the answers above are counted (gpt-test
  // answered as itself, as `fast`, as the first target of `smart`, with a tool call and on
  // /v1/messages).
  const deadline = Date.now() + 20_000;
  for (;;) {
    const usage = await call('GET', '/v1/ai/usage', { token: keys.owner, query: { group_by: 'model,provider' } });
    assert.equal(usage.status, 200);
    const gpt = usage.json().data.find((row) => row.model === 'gpt-test');
    if (gpt?.requests >= 5) {
      assert.equal(gpt.provider, 'oa');
      assert.ok(gpt.cost_microdollars > 0);
      break;
    }
    assert.ok(Date.now() < deadline, `usage not counted within 20 s: ${usage.text}`);
    await new Promise((wake) => setTimeout(wake, 100));
  }
  const badUsage = await call('GET', '/v1/ai/usage', { token: keys.owner, query: { from: 'yesterday' } });
  assert.equal(badUsage.status, 400);
  assert.equal(badUsage.json().field, 'from');
});

test('AI budgets', async () => {
  const created = await call('POST', '/v1/api-keys', { token: keys.owner, json: { name: 'budgeted', role: 'analyst' } });
  assert.equal(created.status, 201);
  const key = created.json();
  const budget = await call('POST', '/v1/ai/budgets', {
    token: keys.owner,
    json: { scope: 'api_key', subject_id: key.id, monthly_limit_microdollars: 0, thresholds_percent: [80, 100] },
  });
  assert.equal(budget.status, 201);
  const id = budget.json().id;
  assert.equal(budget.json().remaining_microdollars, 0);
  // A limit of 0 refuses every priced request, in OpenAI's and Anthropic's shapes.
  const refused = await call('POST', '/v1/chat/completions', {
    token: key.token, json: { model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] } });
  assert.equal(refused.status, 402);
  assert.equal(refused.json().type, 'urn:aic:problem:budget-exceeded');
  assert.equal(refused.json().budget_id, id);
  assert.equal(refused.json().error.code, 'budget_exceeded');
  const refusedMessage = await call('POST', '/v1/messages', {
    token: key.token, json: { model: 'gpt-test', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] } });
  assert.equal(refusedMessage.status, 402);
  assert.equal(refusedMessage.json().error.type, 'billing_error');
  const refusedEmbedding = await call('POST', '/v1/embeddings', {
    token: key.token, json: { model: 'embed-test', input: 'hi' } });
  assert.equal(refusedEmbedding.status, 402);

  const listed = await call('GET', '/v1/ai/budgets', { token: keys.owner });
  assert.equal(listed.status, 200);
  assert.ok(listed.json().data.some((each) => each.id === id));
  assert.equal((await call('GET', '/v1/ai/budgets/{budget_id}', { token: keys.owner, params: { budget_id: id } })).status, 200);
  const raised = await call('PATCH', '/v1/ai/budgets/{budget_id}', {
    token: keys.owner, params: { budget_id: id }, json: { monthly_limit_microdollars: 5_000_000 } });
  assert.equal(raised.status, 200);
  assert.equal(raised.json().monthly_limit_usd, '5.000000');
  const answered = await call('POST', '/v1/chat/completions', {
    token: key.token, json: { model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] } });
  assert.equal(answered.status, 200);
  const bad = await call('POST', '/v1/ai/budgets', { token: keys.owner, json: { scope: 'planet', monthly_limit_microdollars: 1 } });
  assert.equal(bad.status, 400);
  assert.equal(bad.json().field, '/scope');
  const twice = await call('POST', '/v1/ai/budgets', {
    token: keys.owner, json: { scope: 'api_key', subject_id: key.id, monthly_limit_microdollars: 1 } });
  assert.equal(twice.status, 409);
  assert.equal((await call('GET', '/v1/ai/budgets/{budget_id}', { token: keys.owner, params: { budget_id: 'bud_missing' } })).status, 404);
  assert.equal((await call('DELETE', '/v1/ai/budgets/{budget_id}', { token: keys.owner, params: { budget_id: id } })).status, 204);
});

test('AI prompt templates', async () => {
  const prompt = (method, template, options = {}) => call(method, template, { token: keys.owner, ...options });
  const base = '/v1/ai/prompts/{name}';
  const params = { name: 'contract-summary' };
  const created = await prompt('POST', '/v1/ai/prompts', {
    json: {
      name: 'contract-summary', description: 'Contract test prompt', model: 'gpt-test',
      messages: [{ role: 'system', content: 'You write for {{audience}}.' },
                 { role: 'user', content: 'Summarise: {{#items}}{{.}}; {{/items}}' }],
      variables: [{ name: 'audience', type: 'string', default: 'analysts', description: 'readers' },
                  { name: 'items', type: 'array' }],
    },
  });
  assert.equal(created.status, 201);
  assert.equal(created.headers.get('location'), '/v1/ai/prompts/contract-summary');
  assert.equal(created.json().latest.version, 1);
  const version = await prompt('POST', `${base}/versions`, {
    params, json: { description: 'plainer', messages: [{ role: 'user', content: '{{#items}}{{.}} {{/items}}' }],
                    variables: [{ name: 'items', type: 'array' }] },
  });
  assert.equal(version.status, 201);
  assert.equal(version.json().version, 2);

  assert.equal((await prompt('GET', '/v1/ai/prompts', { query: { limit: '10' } })).json().data.length, 1);
  assert.equal((await prompt('GET', base, { params })).json().latest_version, 2);
  const versions = await prompt('GET', `${base}/versions`, { params, query: { limit: '1' } });
  assert.equal(versions.status, 200);
  assert.ok(versions.json().next_cursor);
  assert.equal((await prompt('GET', `${base}/versions/{version}`, {
    params: { ...params, version: 1 } })).json().messages.length, 2);
  const label = await prompt('PUT', `${base}/labels/{label}`, {
    params: { ...params, label: 'production' }, json: { version: 1 } });
  assert.equal(label.status, 200);
  assert.equal(label.json().version, 1);

  const rendered = await prompt('POST', `${base}/render`, {
    params, json: { variables: { items: ['<a>', 'b & c'] } } });
  assert.equal(rendered.status, 200);
  assert.equal(rendered.json().version, 1);
  assert.equal(rendered.json().messages[1].content, 'Summarise: <a>; b & c; ');
  assert.equal((await prompt('POST', `${base}/render`, {
    params, json: { label: 'latest', variables: { items: [] } } })).json().model, null);

  // Errors, each in the shape the document gives it.
  const undeclared = await prompt('POST', '/v1/ai/prompts', {
    json: { name: 'broken', messages: [{ role: 'user', content: 'Hi {{who}}' }] } });
  assert.equal(undeclared.status, 400);
  assert.equal(undeclared.json().field, '/messages/0/content');
  assert.equal(undeclared.json().column, 4);
  assert.equal((await prompt('POST', '/v1/ai/prompts', {
    json: { name: 'contract-summary', messages: [{ role: 'user', content: 'x' }] } })).status, 409);
  const mistyped = await prompt('POST', `${base}/render`, { params, json: { variables: { items: 'x' } } });
  assert.equal(mistyped.status, 400);
  assert.equal(mistyped.json().field, '/variables/items');
  assert.equal((await prompt('POST', `${base}/render`, {
    params, json: { label: 'canary', variables: { items: [] } } })).status, 404);
  assert.equal((await prompt('PUT', `${base}/labels/{label}`, {
    params: { ...params, label: 'latest' }, json: { version: 1 } })).status, 400);
  assert.equal((await prompt('GET', `${base}/versions/{version}`, {
    params: { ...params, version: 9 } })).status, 404);
  assert.equal((await prompt('GET', base, { params: { name: 'no-such-prompt' } })).status, 404);

  assert.equal((await prompt('DELETE', `${base}/labels/{label}`, {
    params: { ...params, label: 'production' } })).status, 204);
  assert.equal((await prompt('DELETE', `${base}/labels/{label}`, {
    params: { ...params, label: 'production' } })).status, 404);
  assert.equal((await prompt('DELETE', base, { params })).status, 204);
  assert.equal((await prompt('DELETE', base, { params })).status, 404);
});

test("a tenant's own AI providers and routes", async () => {
  const provider = await call('POST', '/v1/ai/providers', {
    token: keys.owner,
    json: {
      name: 'own', kind: 'openai', base_url: `${mock.url}/v1`, api_key: 'sk-own',
      models: [{ name: 'own-gpt', upstream_model: 'gpt-own', input_price: 0.5, output_price: 1.5 }],
    },
  });
  assert.equal(provider.status, 201);
  assert.equal(provider.json().has_api_key, true);
  assert.ok(!provider.text.includes('sk-own'));
  const route = await call('POST', '/v1/ai/routes', {
    token: keys.owner, json: { name: 'own-route', strategy: 'fallback', targets: ['own-gpt', 'gpt-test'] } });
  assert.equal(route.status, 201);
  const answered = await call('POST', '/v1/chat/completions', {
    token: keys.owner, json: { model: 'own-route', messages: [{ role: 'user', content: 'hello there' }] } });
  assert.equal(answered.status, 200);
  assert.equal(answered.json().choices[0].message.content, 'mock reply: hello there');
  assert.equal((await call('GET', '/v1/ai/providers', { token: keys.owner })).json().data.length, 1);
  assert.equal((await call('GET', '/v1/ai/providers/{name}', { token: keys.owner, params: { name: 'own' } })).status, 200);
  assert.equal((await call('GET', '/v1/ai/routes', { token: keys.owner })).json().data.length, 1);
  assert.equal((await call('GET', '/v1/ai/routes/{name}', { token: keys.owner, params: { name: 'own-route' } })).status, 200);
  const replaced = await call('PUT', '/v1/ai/routes/{name}', {
    token: keys.owner, params: { name: 'own-route' }, json: { name: 'own-route', targets: ['gpt-test'] } });
  assert.equal(replaced.status, 200);
  assert.equal(replaced.json().version, 2);
  const kept = await call('PUT', '/v1/ai/providers/{name}', {
    token: keys.owner, params: { name: 'own' },
    json: { name: 'own', kind: 'openai', base_url: `${mock.url}/v1`, models: [{ name: 'own-gpt' }] } });
  assert.equal(kept.status, 200);
  assert.equal(kept.json().has_api_key, true);
  const bad = await call('POST', '/v1/ai/providers', {
    token: keys.owner, json: { name: 'bad', kind: 'cohere', base_url: 'https://x.example' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.json().field, '/kind');
  assert.equal((await call('GET', '/v1/ai/routes/{name}', { token: keys.owner, params: { name: 'nope' } })).status, 404);
  assert.equal((await call('DELETE', '/v1/ai/routes/{name}', { token: keys.owner, params: { name: 'own-route' } })).status, 204);
  assert.equal((await call('DELETE', '/v1/ai/providers/{name}', { token: keys.owner, params: { name: 'own' } })).status, 204);
});

test('AI evaluations', async () => {
  const manage = (method, template, options = {}) => call(method, template, { token: keys.owner, ...options });
  const dataset = [0, 1, 2]
    .map((i) => JSON.stringify({ id: `c${i}`, input: `hello ${i}`, expected: 'mock reply' }))
    .join('\n') + '\n';
  const created = await manage('POST', '/v1/ai/evals', {
    json: { name: 'contract-greetings', task: 'chat', description: 'Contract eval', grader: { kind: 'contains' },
            parameters: { temperature: 0 }, dataset },
  });
  assert.equal(created.status, 201);
  const evalId = created.json().id;
  assert.equal(created.headers.get('location'), `/v1/ai/evals/${evalId}`);
  assert.equal(created.json().grader.threshold, 1);
  const params = { eval_id: evalId };
  assert.equal((await manage('GET', '/v1/ai/evals', { query: { task: 'chat', limit: '10' } })).json().data.length, 1);
  assert.equal((await manage('GET', '/v1/ai/evals/{eval_id}', { params })).json().item_count, 3);
  const badLine = await manage('POST', '/v1/ai/evals', {
    json: { name: 'broken', task: 'chat', grader: { kind: 'contains' }, dataset: `${dataset}{nope}\n` } });
  assert.equal(badLine.status, 400);
  assert.equal(badLine.json().field, '/dataset');
  assert.equal(badLine.json().line, 4);
  assert.equal((await manage('POST', '/v1/ai/evals', {
    json: { name: 'contract-greetings', task: 'chat', grader: { kind: 'contains' }, dataset } })).status, 409);

  const waitForEnd = async (runParams) => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const run = (await manage('GET', '/v1/ai/evals/{eval_id}/runs/{run_id}', { params: runParams })).json();
      if (run.status !== 'queued' && run.status !== 'running') return run;
      assert.ok(Date.now() < deadline, `the run did not end within 20 s: ${JSON.stringify(run)}`);
      await new Promise((wake) => setTimeout(wake, 50));
    }
  };
  const started = await manage('POST', '/v1/ai/evals/{eval_id}/runs', {
    params, json: { models: ['gpt-test', 'claude-test'], concurrency: 2 } });
  assert.equal(started.status, 202);
  assert.equal(started.json().status, 'queued');
  const runParams = { eval_id: evalId, run_id: started.json().id };
  const run = await waitForEnd(runParams);
  assert.equal(run.status, 'succeeded');
  assert.deepEqual(run.summaries.map((each) => [each.model, each.passed, each.errors]),
                   [['gpt-test', 3, 0], ['claude-test', 3, 0]]);
  const results = await manage('GET', '/v1/ai/evals/{eval_id}/runs/{run_id}/results', {
    params: runParams, query: { limit: '4' } });
  assert.equal(results.status, 200);
  assert.equal(results.json().data.length, 4);
  assert.ok(results.json().next_cursor);
  assert.equal((await manage('GET', '/v1/ai/evals/{eval_id}/runs', { params })).json().data.length, 1);
  const board = await manage('GET', '/v1/ai/leaderboard', { query: { task: 'chat' } });
  assert.equal(board.status, 200);
  assert.deepEqual(board.json().data.map((each) => each.model).sort(), ['claude-test', 'gpt-test']);
  assert.equal((await manage('GET', '/v1/ai/leaderboard')).status, 400);
  const unknownModel = await manage('POST', '/v1/ai/evals/{eval_id}/runs', { params, json: { models: ['gpt-9'] } });
  assert.equal(unknownModel.status, 400);
  assert.equal(unknownModel.json().field, '/models/0');

  // A slow run, cancelled: it keeps what it finished.
  for (let i = 0; i < 3; ++i) await pushFault(mock.url, { kind: 'delay', delay_ms: 400 });
  const slow = await manage('POST', '/v1/ai/evals/{eval_id}/runs', { params, json: { models: ['gpt-test'], concurrency: 1 } });
  assert.equal(slow.status, 202);
  const slowParams = { eval_id: evalId, run_id: slow.json().id };
  const cancelled = await manage('POST', '/v1/ai/evals/{eval_id}/runs/{run_id}/cancel', { params: slowParams });
  assert.equal(cancelled.status, 200);
  assert.equal(cancelled.json().status, 'cancelled');
  assert.equal((await manage('POST', '/v1/ai/evals/{eval_id}/runs/{run_id}/cancel', { params: slowParams })).status, 409);
  assert.equal((await manage('GET', '/v1/ai/evals/{eval_id}/runs/{run_id}', {
    params: { eval_id: evalId, run_id: 'evr_missing' } })).status, 404);

  assert.equal((await manage('DELETE', '/v1/ai/evals/{eval_id}', { params })).status, 204);
  assert.equal((await manage('GET', '/v1/ai/evals/{eval_id}', { params })).status, 404);
});

test('rate limits answer 429 with Retry-After', async () => {
  let limited;
  for (let i = 0; i < kFreePlanPerMinute + 3 && !limited; ++i) {
    const answer = await call('GET', '/v1/api-keys', { token: keys.freeOwner });
    if (answer.status === 429) limited = answer;
  }
  assert.ok(limited, `no 429 within ${kFreePlanPerMinute + 3} requests on a ${kFreePlanPerMinute}/min plan`);
  assert.equal(limited.json().status, 429);
});

test('every documented operation was called and answered with success', () => {
  const missing = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of Object.keys(item)) {
      const name = `${method.toUpperCase()} ${path}`;
      const statuses = [...(called.get(name) ?? [])];
      if (!statuses.some((status) => status >= 200 && status < 300)) missing.push(name);
    }
  }
  assert.deepEqual(missing, [], 'add a call for each of these to this file');
});
