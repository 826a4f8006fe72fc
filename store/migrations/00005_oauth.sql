-- Version 5: the OAuth 2.0 server (api.md section 16, server/oauth). The triggers that count
-- applications' changes in auth_state are added by migrateOAuth (store/oauth.go): a trigger body
-- holds semicolons, which these templates cannot.
--
-- oauth_applications: the registered clients. secret_hash is a bcrypt hash of the client secret
-- (NULL for a public client, which has none); user_id is the user the application acts as for
-- client_credentials, and organization_id the organization whose users may log in through it.
-- grants are space-separated grant types, redirect_uris newline-separated exact URIs. A revoked
-- application keeps its row (active false): its tokens are refused from then on.
CREATE TABLE oauth_applications (
    id {{pk}},
    client_id {{str 255}} NOT NULL UNIQUE,
    secret_hash {{text}},
    name {{str 255}} NOT NULL,
    user_id {{ref}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id {{ref}} NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    grants {{str 255}} NOT NULL,
    redirect_uris {{text}} NOT NULL,
    is_public {{bool}} NOT NULL DEFAULT FALSE,
    skip_consent {{bool}} NOT NULL DEFAULT FALSE,
    active {{bool}} NOT NULL DEFAULT TRUE,
    {{timestamps}}
);
CREATE INDEX idx_oauth_applications_user_id ON oauth_applications (user_id);
CREATE INDEX idx_oauth_applications_organization_id ON oauth_applications (organization_id);

-- The grants fosite stores, one table each, keyed by the token's signature: an HMAC of the
-- token under the server's secret, from which the token cannot be recovered (the tokens
-- themselves are never stored). request is the JSON of the authorization (client, scopes, the
-- authorize parameters, the session with its subject and expiries). A used code and a rotated
-- refresh token stay, inactive, until they expire: their reuse is told from a forgery, and
-- revokes what was issued from the same request (request_id).
CREATE TABLE oauth_authorization_codes (
    signature {{str 255}} NOT NULL PRIMARY KEY,
    request_id {{str 64}} NOT NULL,
    client_id {{str 255}} NOT NULL REFERENCES oauth_applications (client_id) ON DELETE CASCADE,
    active {{bool}} NOT NULL,
    expires_at {{datetime}} NOT NULL,
    request {{json}} NOT NULL,
    created_at {{datetime}} NOT NULL
);
CREATE INDEX idx_oauth_authorization_codes_request_id ON oauth_authorization_codes (request_id);
CREATE INDEX idx_oauth_authorization_codes_client_id ON oauth_authorization_codes (client_id);
CREATE INDEX idx_oauth_authorization_codes_expires_at ON oauth_authorization_codes (expires_at);

CREATE TABLE oauth_refresh_tokens (
    signature {{str 255}} NOT NULL PRIMARY KEY,
    request_id {{str 64}} NOT NULL,
    client_id {{str 255}} NOT NULL REFERENCES oauth_applications (client_id) ON DELETE CASCADE,
    active {{bool}} NOT NULL,
    expires_at {{datetime}} NOT NULL,
    request {{json}} NOT NULL,
    created_at {{datetime}} NOT NULL
);
CREATE INDEX idx_oauth_refresh_tokens_request_id ON oauth_refresh_tokens (request_id);
CREATE INDEX idx_oauth_refresh_tokens_client_id ON oauth_refresh_tokens (client_id);
CREATE INDEX idx_oauth_refresh_tokens_expires_at ON oauth_refresh_tokens (expires_at);

-- The PKCE challenge of an authorization code (by the code's signature), taken once.
CREATE TABLE oauth_pkce_requests (
    signature {{str 255}} NOT NULL PRIMARY KEY,
    request_id {{str 64}} NOT NULL,
    client_id {{str 255}} NOT NULL REFERENCES oauth_applications (client_id) ON DELETE CASCADE,
    active {{bool}} NOT NULL,
    expires_at {{datetime}} NOT NULL,
    request {{json}} NOT NULL,
    created_at {{datetime}} NOT NULL
);
CREATE INDEX idx_oauth_pkce_requests_client_id ON oauth_pkce_requests (client_id);
CREATE INDEX idx_oauth_pkce_requests_expires_at ON oauth_pkce_requests (expires_at);

-- oauth_keys: the server's RS256 signing key (PKCS #8 PEM), one row (id 1), created by the
-- first server that starts without one. Whoever reads it can sign tokens: treat it like the
-- password file.
CREATE TABLE oauth_keys (
    id {{int}} NOT NULL PRIMARY KEY,
    private_key {{text}} NOT NULL,
    created_at {{datetime}} NOT NULL
)
