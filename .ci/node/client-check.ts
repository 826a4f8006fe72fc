// Compile-time expectations of the TypeScript client that @hey-api/openapi-ts generates from the
// served document (gen/openapi.json, the same bytes as /api/doc/openapi.json). `tsc --strict`
// fails when one does not hold: a line that must not compile carries @ts-expect-error, which is
// itself an error when the line compiles. Issue 8, items 2 and 3; issue 9, item 7 (the token endpoint).
import type {
  CreateAccountData,
  ListAccountsData,
  ListContactsData,
  Oauth2TokenData,
  Oauth2TokenErrors,
  Oauth2TokenResponses,
} from './tmp/ts-client';

type Query<T extends { query?: unknown }> = NonNullable<T['query']>;

// A parameter the query type of an operation has (its own key, not an index signature).
type HasParam<T extends { query?: unknown }, K extends string> = K extends keyof Query<T> ? true : false;

// --- Create bodies are JSON:API documents, in the .json form too (application/vnd.api+json
// first), and their required attributes survive the generation.
export const createAccount: CreateAccountData['body'] = {
  data: { type: 'accounts', attributes: { name: 'Acme', description: null } },
};

export const createAccountWithoutName: CreateAccountData['body'] = {
  data: {
    type: 'accounts',
    // @ts-expect-error `name` is required in a create body of accounts
    attributes: { description: 'an account without a name' },
  },
};

// --- Filter operators in bracket form are typed query parameters; unknown ones are not.
export const nameContains: Query<ListAccountsData> = { 'filter[name][contains]': 'motors' };
export const nameStartsWith: Query<ListAccountsData> = { 'filter[name][starts_with]': 'Ac' };
export const lastNameContains: Query<ListContactsData> = { 'filter[lastName][contains]': 'son' };

export const idGreaterThan: HasParam<ListAccountsData, 'filter[id][gt]'> = true;
export const idLessOrEqual: HasParam<ListAccountsData, 'filter[id][lte]'> = true;
export const nameNotContains: HasParam<ListAccountsData, 'filter[name][not_contains]'> = true;

// @ts-expect-error an operator that filter[name] does not have
export const nameGreaterThan: HasParam<ListAccountsData, 'filter[name][gt]'> = true;
// @ts-expect-error a filter that accounts do not have
export const unknownFilter: HasParam<ListAccountsData, 'filter[nope][eq]'> = true;

// --- page[size] and page[number] are integers.
export const page: Query<ListAccountsData> = { 'page[size]': 5, 'page[number]': 2, sort: '-name' };
// @ts-expect-error page[size] is an integer, not text
export const pageSizeAsText: Query<ListAccountsData> = { 'page[size]': '5' };

// --- The token endpoint (POST /oauth2-token) is described: its grant types are typed, its
// answer has token_type exactly Bearer, its errors are those of RFC 6749.
export const tokenRequest: Oauth2TokenData['body'] = {
  grant_type: 'client_credentials', client_id: 'id', client_secret: 'secret',
};
// @ts-expect-error a grant type the server does not support
export const implicitGrant: Oauth2TokenData['body'] = { grant_type: 'implicit' };
export const bearer: Oauth2TokenResponses[200]['token_type'] = 'Bearer';
// @ts-expect-error token_type is exactly Bearer
export const lowerCaseBearer: Oauth2TokenResponses[200]['token_type'] = 'bearer';
export const invalidGrant: Oauth2TokenErrors[400]['error'] = 'invalid_grant';
// @ts-expect-error not an error code of the token endpoint
export const unknownError: Oauth2TokenErrors[400]['error'] = 'invalid_token';
