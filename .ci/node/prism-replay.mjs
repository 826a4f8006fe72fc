// A broad set of requests sent through Prism's validating proxy (`prism proxy --errors`) in
// front of a live server (issue 10, item 5); `.ci/node/check prism` runs it.
//
//   node prism-replay.mjs DOCUMENT PROXY_URL CLIENT_ID CLIENT_SECRET
//
// DOCUMENT is the served document (saved from /api/doc/openapi.json); the requests are derived
// from it: a page of every collection, with every include of the type, a sparse fieldset, a
// sort, `meta=title` and `X-Include: totalCount`; every item, related-resource and relationship
// GET of the first record of each; then a few writes and the errors 400, 404, 401 and 405.
//
// With --errors, Prism answers a request or response that breaks the document with its own
// problem document (application/problem+json, type https://stoplight.io/prism/errors#…: 422 for
// the request, 500 VIOLATIONS for the response) and lists the violations in `sl-violations`.
// Any of these fails the run, except where a case expects Prism itself to answer (405: the
// document declares no PUT, so Prism refuses the method before the server sees it).
//
// Left out because Prism 5.16 cannot read them (README, Clients; server/apitest validates them
// in the Go suite instead): the short filter forms (`filter[id]>5`: Prism appends `=` to a key
// without a value), plain JSON (`Accept: application/json`: Prism checks it against the first
// media type's schema, its issue #2713), and HEAD (Prism parses the empty body as JSON and
// answers 500).
import { readFileSync } from 'node:fs';

const [docPath, proxy, clientId, clientSecret] = process.argv.slice(2);
if (!docPath || !proxy || !clientId || !clientSecret) {
  console.error('usage: node prism-replay.mjs DOCUMENT PROXY_URL CLIENT_ID CLIENT_SECRET');
  process.exit(2);
}
const doc = JSON.parse(readFileSync(docPath, 'utf8'));
const base = proxy.replace(/\/+$/, '');
const JSONAPI = 'application/vnd.api+json';

let sent = 0;
const failures = [];

// send one request through the proxy and check the answer: the expected status, and no sign of
// Prism (a problem document of its own or sl-violations) unless `prism` names the error expected.
async function send(method, path, { headers = {}, body, expect = [200], prism } = {}) {
  sent++;
  const label = `${method} ${path}`;
  let res, text;
  try {
    res = await fetch(base + path, {
      method,
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    text = await res.text();
  } catch (e) {
    failures.push(`${label}: ${e}`);
    console.log(`FAIL ${label}: ${e}`);
    return undefined;
  }
  const problems = [];
  const violations = res.headers.get('sl-violations');
  if (violations) problems.push(`sl-violations: ${violations}`);
  const ct = res.headers.get('content-type') ?? '';
  let prismError;
  if (ct.startsWith('application/problem+json')) {
    try {
      const t = JSON.parse(text).type ?? '';
      if (t.includes('stoplight.io/prism/errors#')) prismError = t.replace(/.*#/, '');
    } catch { /* not Prism's */ }
  }
  if (prismError !== prism) problems.push(prismError ? `Prism answered ${prismError}: ${text.slice(0, 1500)}` : `Prism did not answer ${prism}`);
  if (!expect.includes(res.status)) problems.push(`status ${res.status}, expected ${expect.join(' or ')}: ${text.slice(0, 500)}`);
  if (problems.length) {
    failures.push(`${label}: ${problems.join('; ')}`);
    console.log(`FAIL ${label} (${res.status}): ${problems.join('; ')}`);
  } else {
    console.log(`ok   ${label} (${res.status}${prism ? `, Prism: ${prism}` : ''})`);
  }
  let json;
  try { json = JSON.parse(text); } catch { /* empty or not JSON */ }
  return { status: res.status, json, headers: res.headers };
}

let token;

// The token, form-encoded (the TypeScript client sends JSON to the same endpoint).
const tok = await send('POST', '/oauth2-token', {
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString(),
});
token = tok?.json?.access_token;
if (!token) {
  console.error('prism replay: FAILED: no token');
  process.exit(1);
}

const q = (params) => '?' + Object.entries(params).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
const paramOf = (ref) => (ref && ref.$ref ? doc.components.parameters[ref.$ref.replace('#/components/parameters/', '')] : ref);

// --- GETs derived from the document: every collection, then every path below its first record.
const paths = Object.keys(doc.paths);
// (resource collections: those with records of their own; the search endpoints follow below)
const collections = paths.filter((p) => p.startsWith('/api/') && !p.includes('{') && doc.paths[p].get && doc.paths[`${p}/{id}`]);
for (const coll of collections) {
  const type = coll.slice('/api/'.length);
  const rels = paths.filter((p) => p.startsWith(`${coll}/{id}/relationships/`)).map((p) => p.split('/').pop());
  const params = (doc.paths[coll].get.parameters ?? []).map(paramOf);
  const fields = params.find((p) => p.name === `fields[${type}]`);
  const page = await send('GET', coll + q({ 'page[size]': 2 }));
  await send('GET', coll + q({ 'page[size]': 2, sort: '-id', meta: 'title' }), { headers: { 'X-Include': 'totalCount' } });
  if (rels.length) await send('GET', coll + q({ 'page[size]': 2, include: rels.join(',') }));
  if (fields?.schema?.example) await send('GET', coll + q({ 'page[size]': 2, [`fields[${type}]`]: fields.schema.example }));
  const id = page?.json?.data?.[0]?.id;
  if (id === undefined) continue;
  for (const p of paths.filter((p) => p.startsWith(`${coll}/{id}`) && doc.paths[p].get)) {
    await send('GET', p.replace('{id}', encodeURIComponent(id)));
  }
  if (rels.length) await send('GET', `${coll}/${encodeURIComponent(id)}` + q({ include: rels.join(',') }));
}
// the search endpoints, when the document has them (api.md section 15)
if (doc.paths['/api/search']) {
  await send('GET', '/api/rest/latest/search' + q({ search: 'a', max_results: 2 }));
  await send('GET', '/api/rest/latest/search/advanced' + q({ query: 'select (name, integer.timesContacted as times) from accounts where all_text like "a" order_by name max_results 2' }));
  await send('GET', '/api/search' + q({ 'filter[searchText]': 'a', include: 'entity', 'page[size]': 2 }), { headers: { 'X-Include': 'totalCount' } });
  await send('GET', '/api/search' + q({ 'filter[searchQuery]': 'integer timesContacted >= 0', 'filter[entities]': 'accounts,contacts', 'fields[search]': 'entityName' }));
}
// localized names and converted prices, when the document has products
if (doc.paths['/api/products/{id}']) {
  await send('GET', '/api/products' + q({ 'page[size]': 2 }), { headers: { 'X-Localization-ID': '2', 'X-Currency': 'EUR' } });
}

// --- A few writes: two contacts, an account related to the first, its relationships changed
// through the relationship endpoints, an update, an upsert and a dry run, then the deletes.
const marker = `prism-${Math.random().toString(36).slice(2, 10)}`;
const post = (path, data, expect = [201]) =>
  send('POST', path, { headers: { 'Content-Type': JSONAPI }, body: { data }, expect });
const c1 = (await post('/api/contacts', { type: 'contacts', attributes: { firstName: 'Ann', lastName: marker } }))?.json?.data?.id;
const c2 = (await post('/api/contacts', { type: 'contacts', attributes: { firstName: 'Bob', lastName: marker } }))?.json?.data?.id;
if (c1 && c2) {
  const acc = (await post('/api/accounts', {
    type: 'accounts', attributes: { name: `${marker} Ltd` },
    relationships: { contacts: { data: [{ type: 'contacts', id: c1 }] } },
  }))?.json?.data?.id;
  if (acc) {
    const rel = (name, method, data) => send(method, `/api/accounts/${acc}/relationships/${name}`,
      { headers: { 'Content-Type': JSONAPI }, body: { data }, expect: [204] });
    await rel('contacts', 'POST', [{ type: 'contacts', id: c2 }]);
    await rel('defaultContact', 'PATCH', { type: 'contacts', id: c2 });
    await rel('contacts', 'DELETE', [{ type: 'contacts', id: c1 }]);
    await send('GET', `/api/accounts/${acc}/relationships/contacts`);
    await send('PATCH', `/api/accounts/${acc}`, {
      headers: { 'Content-Type': JSONAPI },
      body: { data: { type: 'accounts', id: acc, attributes: { description: 'through Prism' } } },
    });
    await send('GET', `/api/accounts/${acc}` + q({ include: 'contacts,defaultContact' }));
    // upsert by name: the account exists, so it is updated (200)
    await post('/api/accounts', { type: 'accounts', meta: { upsert: ['name'] }, attributes: { name: `${marker} Ltd`, description: 'upserted' } }, [200]);
    // a dry run: validated, answered as a create, nothing stored
    await post('/api/accounts', { type: 'accounts', meta: { validate: true }, attributes: { name: `${marker} dry run` } }, [200, 201]);
    // 400 with a body the document accepts: a related contact that does not exist
    await post('/api/accounts', { type: 'accounts', attributes: { name: `${marker} bad` },
      relationships: { defaultContact: { data: { type: 'contacts', id: '999999999' } } } }, [400]);
    await send('DELETE', `/api/accounts/${acc}`, { expect: [204] });
    await send('GET', `/api/accounts/${acc}`, { expect: [404] });
  }
  await send('DELETE', '/api/contacts' + q({ 'filter[lastName]': marker }), { expect: [204] });
}

// --- Errors.
await send('GET', '/api/accounts' + q({ 'filter[id]': 'not-a-number' }), { expect: [400] });
await send('GET', '/api/accounts' + q({ sort: 'nope' }), { expect: [400] });
await send('GET', '/api/accounts/999999999', { expect: [404] });
await send('GET', '/api/contacts/999999999/accounts', { expect: [404] });
await send('GET', '/api/accounts', { headers: { Authorization: 'Bearer not-a-token' }, expect: [401] });
await send('PUT', '/api/accounts/1', { headers: { 'Content-Type': JSONAPI }, body: '{}', expect: [405], prism: 'NO_METHOD_MATCHED_ERROR' });

if (failures.length) {
  console.error(`prism replay: FAILED: ${failures.length} of ${sent} requests:`);
  for (const f of failures) console.error(`  ${f}`);
  process.exit(1);
}
console.log(`prism replay: ${sent} requests, no violation`);
