-- The initial schema, written once for both databases. Column types are template functions
-- (see store/migrate.go) that print the PostgreSQL or the SQLite type; everything else is
-- SQL both understand (SQLite ≥ 3.23 reads TRUE and FALSE as 1 and 0).
--
-- Foreign keys: SET NULL where the reference is optional, CASCADE for join tables and for a
-- product's prices (they have no meaning without it), RESTRICT otherwise (deleting a user who
-- still owns records must be refused, not silently take the records along).

CREATE TABLE organizations (
    id {{pk}},
    name {{str 255}} NOT NULL UNIQUE,
    description {{text}},
    enabled {{bool}} NOT NULL DEFAULT TRUE,
    {{timestamps}}
);

CREATE TABLE business_units (
    id {{pk}},
    name {{str 255}} NOT NULL,
    phone {{str 100}},
    email {{str 255}},
    website {{str 255}},
    organization_id {{ref}} NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
    parent_business_unit_id {{ref}} REFERENCES business_units (id) ON DELETE SET NULL,
    {{timestamps}}
);
CREATE INDEX idx_business_units_organization_id ON business_units (organization_id);
CREATE INDEX idx_business_units_parent_business_unit_id ON business_units (parent_business_unit_id);

CREATE TABLE user_roles (
    id {{pk}},
    role {{str 255}} NOT NULL UNIQUE,
    label {{str 255}} NOT NULL,
    description {{text}},
    permissions {{json}},
    organization_id {{ref}} REFERENCES organizations (id) ON DELETE SET NULL,
    {{timestamps}}
);
CREATE INDEX idx_user_roles_organization_id ON user_roles (organization_id);

CREATE TABLE users (
    id {{pk}},
    username {{str 255}} NOT NULL UNIQUE,
    email {{str 255}} NOT NULL UNIQUE,
    name_prefix {{str 255}},
    first_name {{str 255}},
    middle_name {{str 255}},
    last_name {{str 255}},
    name_suffix {{str 255}},
    title {{str 255}},
    birthday {{date}},
    enabled {{bool}} NOT NULL DEFAULT TRUE,
    password {{text}},
    last_login {{datetime}},
    login_count {{int}} NOT NULL DEFAULT 0,
    owner_id {{ref}} NOT NULL REFERENCES business_units (id) ON DELETE RESTRICT,
    organization_id {{ref}} NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
    {{timestamps}}
);
CREATE INDEX idx_users_owner_id ON users (owner_id);
CREATE INDEX idx_users_organization_id ON users (organization_id);

CREATE TABLE user_user_roles (
    user_id {{ref}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_role_id {{ref}} NOT NULL REFERENCES user_roles (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, user_role_id)
);
CREATE INDEX idx_user_user_roles_user_role_id ON user_user_roles (user_role_id);

CREATE TABLE user_business_units (
    user_id {{ref}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    business_unit_id {{ref}} NOT NULL REFERENCES business_units (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, business_unit_id)
);
CREATE INDEX idx_user_business_units_business_unit_id ON user_business_units (business_unit_id);

CREATE TABLE contact_sources (
    id {{code}},
    name {{str 255}},
    {{timestamps}}
);

CREATE TABLE contacts (
    id {{pk}},
    name_prefix {{str 255}},
    first_name {{str 255}},
    middle_name {{str 255}},
    last_name {{str 255}},
    name_suffix {{str 255}},
    gender {{str 16}},
    birthday {{date}},
    job_title {{str 255}},
    description {{text}},
    primary_email {{str 255}},
    primary_phone {{str 100}},
    {{communication}},
    source_id {{coderef}} REFERENCES contact_sources (id) ON DELETE SET NULL,
    owner_id {{ref}} NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    organization_id {{ref}} NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
    {{timestamps}}
);
CREATE INDEX idx_contacts_source_id ON contacts (source_id);
CREATE INDEX idx_contacts_owner_id ON contacts (owner_id);
CREATE INDEX idx_contacts_organization_id ON contacts (organization_id);

CREATE TABLE accounts (
    id {{pk}},
    name {{str 255}} NOT NULL,
    description {{text}},
    {{communication}},
    default_contact_id {{ref}} REFERENCES contacts (id) ON DELETE SET NULL,
    owner_id {{ref}} NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    organization_id {{ref}} NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
    {{timestamps}}
);
CREATE INDEX idx_accounts_default_contact_id ON accounts (default_contact_id);
CREATE INDEX idx_accounts_owner_id ON accounts (owner_id);
CREATE INDEX idx_accounts_organization_id ON accounts (organization_id);

CREATE TABLE account_contacts (
    account_id {{ref}} NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    contact_id {{ref}} NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    PRIMARY KEY (account_id, contact_id)
);
CREATE INDEX idx_account_contacts_contact_id ON account_contacts (contact_id);

CREATE TABLE calls (
    id {{pk}},
    subject {{str 255}} NOT NULL,
    phone_number {{str 100}},
    notes {{text}},
    call_date_time {{datetime}} NOT NULL,
    direction {{str 16}} NOT NULL,
    duration {{int}},
    contact_id {{ref}} REFERENCES contacts (id) ON DELETE SET NULL,
    account_id {{ref}} REFERENCES accounts (id) ON DELETE SET NULL,
    owner_id {{ref}} NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    organization_id {{ref}} NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
    {{timestamps}}
);
CREATE INDEX idx_calls_contact_id ON calls (contact_id);
CREATE INDEX idx_calls_account_id ON calls (account_id);
CREATE INDEX idx_calls_owner_id ON calls (owner_id);
CREATE INDEX idx_calls_organization_id ON calls (organization_id);

CREATE TABLE localizations (
    id {{pk}},
    name {{str 255}} NOT NULL,
    language_code {{str 16}} NOT NULL,
    formatting_code {{str 16}} NOT NULL,
    is_default {{bool}} NOT NULL DEFAULT FALSE,
    parent_localization_id {{ref}} REFERENCES localizations (id) ON DELETE SET NULL,
    {{timestamps}}
);
CREATE INDEX idx_localizations_parent_localization_id ON localizations (parent_localization_id);

CREATE TABLE currencies (
    id {{code}},
    name {{str 255}},
    symbol {{str 255}},
    {{timestamps}}
);

CREATE TABLE countries (
    id {{code}},
    name {{str 255}},
    iso3_code {{str 3}},
    {{timestamps}}
);

CREATE TABLE regions (
    id {{code}},
    name {{str 255}},
    code {{str 16}},
    country_id {{coderef}} NOT NULL REFERENCES countries (id) ON DELETE RESTRICT,
    {{timestamps}}
);
CREATE INDEX idx_regions_country_id ON regions (country_id);

CREATE TABLE products (
    id {{pk}},
    sku {{str 255}} NOT NULL,
    names {{json}} NOT NULL,
    status {{str 16}} NOT NULL DEFAULT 'enabled',
    owner_id {{ref}} NOT NULL REFERENCES business_units (id) ON DELETE RESTRICT,
    organization_id {{ref}} NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
    {{timestamps}},
    UNIQUE (organization_id, sku)
);
-- organization_id is covered by the unique index, which starts with it.
CREATE INDEX idx_products_owner_id ON products (owner_id);

CREATE TABLE product_prices (
    id {{pk}},
    value {{decimal}} NOT NULL,
    quantity {{decimal}} NOT NULL DEFAULT 1,
    product_id {{ref}} NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    currency_id {{coderef}} NOT NULL REFERENCES currencies (id) ON DELETE RESTRICT,
    organization_id {{ref}} NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
    {{timestamps}},
    UNIQUE (product_id, currency_id, quantity)
);
-- product_id is covered by the unique index, which starts with it.
CREATE INDEX idx_product_prices_currency_id ON product_prices (currency_id);
CREATE INDEX idx_product_prices_organization_id ON product_prices (organization_id);

CREATE TABLE weight_units (
    id {{code}},
    conversion_rates {{json}},
    {{timestamps}}
);

CREATE TABLE tax_jurisdictions (
    id {{pk}},
    code {{str 255}} NOT NULL UNIQUE,
    description {{text}},
    region_text {{str 255}},
    zip_codes {{json}},
    country_id {{coderef}} NOT NULL REFERENCES countries (id) ON DELETE RESTRICT,
    region_id {{coderef}} REFERENCES regions (id) ON DELETE SET NULL,
    {{timestamps}}
);
CREATE INDEX idx_tax_jurisdictions_country_id ON tax_jurisdictions (country_id);
CREATE INDEX idx_tax_jurisdictions_region_id ON tax_jurisdictions (region_id);

CREATE TABLE async_operations (
    id {{pk}},
    status {{str 16}} NOT NULL DEFAULT 'new',
    progress {{decimal}},
    elapsed_time {{int}} NOT NULL DEFAULT 0,
    entity_type {{str 64}} NOT NULL,
    summary {{json}},
    request {{json}},
    owner_id {{ref}} NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    organization_id {{ref}} NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
    {{timestamps}}
);
CREATE INDEX idx_async_operations_owner_id ON async_operations (owner_id);
CREATE INDEX idx_async_operations_organization_id ON async_operations (organization_id);
