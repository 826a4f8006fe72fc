-- Version 6: the credentials of WSSE (api.md section 16) and the system configuration (api.md
-- section 18).
--
-- user_api_keys: each user has at most one API key (the primary key), and a new key replaces the
-- old one. The key is stored as it is, not as a one-way hash: the WSSE PasswordDigest is
-- sha1(nonce + created + key), which the server can only recompute knowing the key itself:
-- whatever it stored to recompute digests would be as good as the key to a forger, so a hash
-- would protect nothing. Treat the column like a password file: whoever reads it can act as its
-- users (until they get new keys).
CREATE TABLE user_api_keys (
    user_id {{ref}} NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    api_key {{str 255}} NOT NULL,
    created_at {{datetime}} NOT NULL
);

-- wsse_nonces: the nonces of WSSE headers already accepted, per user, kept until their header
-- has expired (expires_at). The primary key is what refuses a replay: the insert of a nonce that
-- is there already, in any server process, finds it (store/wsse.go). Expired rows are purged in
-- small batches by the expires_at index.
CREATE TABLE wsse_nonces (
    user_id {{ref}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    nonce {{str 255}} NOT NULL,
    expires_at {{datetime}} NOT NULL,
    PRIMARY KEY (user_id, nonce)
);
CREATE INDEX idx_wsse_nonces_expires_at ON wsse_nonces (expires_at);

-- config_settings: named settings, global (organization_id NULL) or overriding the global value
-- for one organization. The value is JSON text ("true"). A unique index would take every NULL
-- organization as distinct, so the global rows and the organizations' rows have a partial unique
-- index each: one global value and one value per organization for every name.
CREATE TABLE config_settings (
    id {{pk}},
    name {{str 255}} NOT NULL,
    organization_id {{ref}} REFERENCES organizations (id) ON DELETE CASCADE,
    value {{json}} NOT NULL,
    {{timestamps}}
);
CREATE UNIQUE INDEX uniq_config_settings_global ON config_settings (name) WHERE organization_id IS NULL;
CREATE UNIQUE INDEX uniq_config_settings_organization ON config_settings (name, organization_id) WHERE organization_id IS NOT NULL;
CREATE INDEX idx_config_settings_organization_id ON config_settings (organization_id);
