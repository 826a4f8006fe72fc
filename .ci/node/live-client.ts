// The TypeScript client that @hey-api/openapi-ts generates from the SERVED document
// (<base>/api/doc/openapi.json, into tmp/ts-live) run against a live server, the way an
// integrator would use it (issue 10, item 4): a token from the token endpoint (client
// credentials), a list with a bracketed filter and an include, a contact and an account related
// to it created, the account updated, read and deleted (and the contact), and a 400 read as a
// JSON:API error document. Any unexpected status or body ends the run with exit status 1.
//
// `.ci/node/check live` generates the client, compiles this file with it (tsconfig.live.json:
// --strict, CommonJS into tmp/live-js) and runs it with node:
//
//   WEBAPI_BASE=http://127.0.0.1:8080 WEBAPI_CLIENT_ID=… WEBAPI_CLIENT_SECRET=… node tmp/live-js/live-client.js
//
// WEBAPI_BASE may also be a proxy in front of the server (the Prism check points it there).
import { createClient, createConfig } from './tmp/ts-live/client';
import {
  createAccount,
  createContact,
  deleteAccount,
  deleteContact,
  getAccount,
  listAccounts,
  oauth2Token,
  updateAccount,
} from './tmp/ts-live';
import type { ErrorDocument } from './tmp/ts-live';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) {
    console.error(`live-client: ${name} is required`);
    process.exit(2);
  }
  return v;
};
const base = env('WEBAPI_BASE').replace(/\/+$/, '');
const clientId = env('WEBAPI_CLIENT_ID');
const clientSecret = env('WEBAPI_CLIENT_SECRET');

class Failure extends Error {}

// check reports one step: its status, or what came back when the expectation does not hold.
function check(step: string, ok: boolean, response: Response | undefined, body: unknown): void {
  const status = response ? response.status : 'no response';
  if (!ok) {
    throw new Failure(`${step}: unexpected answer ${status}: ${JSON.stringify(body)}`);
  }
  console.log(`ok   ${step} (${status})`);
}

async function main(): Promise<void> {
  // Every request gives up after 30 s, so a hung server fails the run instead of blocking CI.
  const timeoutFetch: typeof fetch = (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(30_000) });

  // The token: the generated function of POST /oauth2-token (JSON body), no credentials yet.
  const anonymous = createClient(createConfig({ baseUrl: base, fetch: timeoutFetch }));
  const tok = await oauth2Token({
    client: anonymous,
    body: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret },
  });
  check('token (client_credentials)', tok.response?.status === 200 && tok.data?.token_type === 'Bearer' &&
    typeof tok.data.access_token === 'string' && tok.data.access_token.length > 0, tok.response, tok.error ?? '(token)');
  const token = tok.data!.access_token;

  // The API client. The document offers two schemes per operation (bearer, and WSSE's X-WSSE
  // header); the auth callback answers for the bearer scheme only, so X-WSSE is never sent.
  const client = createClient(createConfig({
    baseUrl: base,
    fetch: timeoutFetch,
    auth: (scheme) => (scheme.scheme === 'bearer' ? token : undefined),
  }));

  // A last name no other record has, so that the filter below finds exactly this run's account.
  const marker = `tsclient-${Math.random().toString(36).slice(2, 10)}`;

  const contact = await createContact({
    client,
    body: { data: { type: 'contacts', attributes: { firstName: 'Jane', lastName: marker } } },
  });
  check('create a contact', contact.response?.status === 201 && contact.data?.data.type === 'contacts',
    contact.response, contact.error ?? contact.data);
  const contactId = contact.data!.data.id;

  // An account related to the contact: among its contacts and as its default contact.
  const created = await createAccount({
    client,
    body: {
      data: {
        type: 'accounts',
        attributes: { name: `${marker} Ltd`, description: 'made by .ci/node/live-client.ts' },
        relationships: {
          contacts: { data: [{ type: 'contacts', id: contactId }] },
          defaultContact: { data: { type: 'contacts', id: contactId } },
        },
      },
    },
  });
  check('create an account with relationships', created.response?.status === 201 &&
    created.data?.data.relationships?.defaultContact?.data?.id === contactId, created.response, created.error ?? created.data);
  const accountId = created.data!.data.id;

  // The parameter names of the document are literal, bracketed names ('filter[name][contains]'):
  // the generated query type has them as keys, and the default query serializer writes a
  // primitive value as name=value with the name as it is, so no serializer option is needed.
  const list = await listAccounts({ client, query: { 'filter[name][contains]': marker, include: 'contacts' } });
  const listed = list.data;
  check('list accounts?filter[name][contains]=…&include=contacts: the account and its contact',
    list.response?.status === 200 && listed !== undefined && listed.data.length === 1 && listed.data[0]!.id === accountId &&
    listed.included?.length === 1 && listed.included[0]!.type === 'contacts' && listed.included[0]!.id === contactId,
    list.response, list.error ?? listed);

  // An update: a new name, the description cleared (null), the relationships left alone.
  const newName = `${marker} Holdings`;
  const updated = await updateAccount({
    client,
    path: { id: accountId },
    body: { data: { type: 'accounts', id: accountId, attributes: { name: newName, description: null } } },
  });
  check('update the account', updated.response?.status === 200 && updated.data?.data.attributes?.name === newName &&
    updated.data.data.attributes.description === null, updated.response, updated.error ?? updated.data);

  const read = await getAccount({ client, path: { id: accountId } });
  check('read the account', read.response?.status === 200 && read.data?.data.attributes?.name === newName &&
    read.data.data.relationships?.defaultContact?.data?.id === contactId, read.response, read.error ?? read.data);

  // A 400: a filter value that is not an id; the error document names the parameter.
  const bad = await listAccounts({ client, query: { 'filter[id]': 'not-a-number' } });
  const doc: ErrorDocument | undefined = bad.error;
  check('a 400 error document (filter[id]=not-a-number)', bad.response?.status === 400 &&
    (bad.response.headers.get('content-type') ?? '').startsWith('application/vnd.api+json') &&
    doc !== undefined && doc.errors.length >= 1 && doc.errors[0]!.status === '400' && doc.errors[0]!.title !== '' &&
    doc.errors[0]!.source?.parameter === 'filter[id]', bad.response, doc ?? bad.data);

  const del = await deleteAccount({ client, path: { id: accountId } });
  check('delete the account', del.response?.status === 204, del.response, del.error ?? '(no body)');
  const delContact = await deleteContact({ client, path: { id: contactId } });
  check('delete the contact', delContact.response?.status === 204, delContact.response, delContact.error ?? '(no body)');
  const gone = await getAccount({ client, path: { id: accountId } });
  check('the deleted account is gone', gone.response?.status === 404 && gone.error?.errors[0]?.status === '404',
    gone.response, gone.error ?? gone.data);

  console.log('live-client: every step passed');
}

main().catch((e: unknown) => {
  console.error('live-client: FAILED:', e instanceof Failure ? e.message : e);
  process.exit(1);
});
