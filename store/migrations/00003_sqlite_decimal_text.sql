-- SQLite only (PostgreSQL's NUMERIC(19,4) is exact): decimal columns become TEXT holding the
-- canonical text of the number ("12.5000"), compared through decimal_key (store/decimal.go).
-- The NUMERIC columns of 00001 turned "123456789012345.1234" into a REAL and lost digits.
--
-- SQLite cannot change a column's type, so each table with decimal columns is rebuilt: a new
-- table, the rows copied (decimal_text turns the INTEGER and REAL values stored so far into the
-- canonical text; precision a REAL already lost stays lost), the old table dropped, the new one
-- renamed, the indexes created again. No table refers to these two, so dropping them with
-- foreign keys on deletes nothing else. The AUTOINCREMENT counter is carried over before the
-- copy, so that the ids of deleted rows are still never reused.
--
-- The unique (product_id, currency_id, quantity) is an expression index on the key of the
-- quantity, so that 1 and 1.0000 are the same quantity; it has PostgreSQL's name for the
-- constraint.

CREATE TABLE product_prices_new (
    id {{pk}},
    value TEXT NOT NULL,
    quantity TEXT NOT NULL DEFAULT '1.0000',
    product_id {{ref}} NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    currency_id {{coderef}} NOT NULL REFERENCES currencies (id) ON DELETE RESTRICT,
    organization_id {{ref}} NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
    {{timestamps}}
);
INSERT INTO sqlite_sequence (name, seq) SELECT 'product_prices_new', seq FROM sqlite_sequence WHERE name = 'product_prices';
INSERT INTO product_prices_new (id, value, quantity, product_id, currency_id, organization_id, created_at, updated_at)
    SELECT id, decimal_text(value), decimal_text(quantity), product_id, currency_id, organization_id, created_at, updated_at
    FROM product_prices;
DROP TABLE product_prices;
ALTER TABLE product_prices_new RENAME TO product_prices;
CREATE UNIQUE INDEX product_prices_product_id_currency_id_quantity_key ON product_prices (product_id, currency_id, decimal_key(quantity));
CREATE INDEX idx_product_prices_currency_id ON product_prices (currency_id);
CREATE INDEX idx_product_prices_organization_id ON product_prices (organization_id);

CREATE TABLE async_operations_new (
    id {{pk}},
    status {{str 16}} NOT NULL DEFAULT 'new',
    progress TEXT,
    elapsed_time {{int}} NOT NULL DEFAULT 0,
    entity_type {{str 64}} NOT NULL,
    summary {{json}},
    request {{json}},
    owner_id {{ref}} NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    organization_id {{ref}} NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
    {{timestamps}}
);
INSERT INTO sqlite_sequence (name, seq) SELECT 'async_operations_new', seq FROM sqlite_sequence WHERE name = 'async_operations';
INSERT INTO async_operations_new (id, status, progress, elapsed_time, entity_type, summary, request, owner_id, organization_id, created_at, updated_at)
    SELECT id, status, decimal_text(progress), elapsed_time, entity_type, summary, request, owner_id, organization_id, created_at, updated_at
    FROM async_operations;
DROP TABLE async_operations;
ALTER TABLE async_operations_new RENAME TO async_operations;
CREATE INDEX idx_async_operations_owner_id ON async_operations (owner_id);
CREATE INDEX idx_async_operations_organization_id ON async_operations (organization_id);
