-- Version 7: the asynchronous batch API (api.md section 12).
--
-- async_operations gains what its workers count. chunk_count is fixed when the operation is
-- stored; each chunk's transaction adds its counts with one UPDATE … SET x = x + ? (never a value
-- read earlier), so that the totals are exact whichever chunks commit concurrently, and the
-- transaction that makes chunks_done reach chunk_count is the one that finishes the operation.
ALTER TABLE async_operations ADD COLUMN chunk_count {{int}} NOT NULL DEFAULT 0;
ALTER TABLE async_operations ADD COLUMN chunks_done {{int}} NOT NULL DEFAULT 0;
ALTER TABLE async_operations ADD COLUMN read_count {{int}} NOT NULL DEFAULT 0;
ALTER TABLE async_operations ADD COLUMN write_count {{int}} NOT NULL DEFAULT 0;
ALTER TABLE async_operations ADD COLUMN create_count {{int}} NOT NULL DEFAULT 0;
ALTER TABLE async_operations ADD COLUMN update_count {{int}} NOT NULL DEFAULT 0;
ALTER TABLE async_operations ADD COLUMN error_count {{int}} NOT NULL DEFAULT 0;
ALTER TABLE async_operations ADD COLUMN started_at {{datetime}};
ALTER TABLE async_operations ADD COLUMN finished_at {{datetime}};
CREATE INDEX idx_async_operations_created_at ON async_operations (created_at);

-- async_operation_chunks: the stored request, cut into the chunks that jobs process. payload
-- holds the chunk's primary records and the included records they need, as sent, with their
-- positions in the request (for the pointers of errors). done is set in the transaction that
-- writes the chunk's records, so that a job run again after a crash writes nothing twice.
CREATE TABLE async_operation_chunks (
    operation_id {{ref}} NOT NULL REFERENCES async_operations (id) ON DELETE CASCADE,
    chunk {{int}} NOT NULL,
    payload {{text}} NOT NULL,
    done {{int}} NOT NULL DEFAULT 0,
    PRIMARY KEY (operation_id, chunk)
);

-- async_operation_errors: the errors of the records of an operation; id is
-- "{operation}-{chunk}-{n}" (api.md section 12), listed by chunk, then n.
CREATE TABLE async_operation_errors (
    id {{str 64}} NOT NULL PRIMARY KEY,
    operation_id {{ref}} NOT NULL REFERENCES async_operations (id) ON DELETE CASCADE,
    chunk {{int}} NOT NULL,
    n {{int}} NOT NULL,
    status {{int}} NOT NULL,
    title {{str 255}} NOT NULL,
    detail {{text}},
    source {{json}}
);
CREATE INDEX idx_async_operation_errors_operation ON async_operation_errors (operation_id, chunk, n);

-- async_operation_includes: the records written for included resources shared by the primary
-- records of several chunks, by their position in `included`: the first chunk to need one
-- writes it, the others link to what it wrote.
CREATE TABLE async_operation_includes (
    operation_id {{ref}} NOT NULL REFERENCES async_operations (id) ON DELETE CASCADE,
    included_index {{int}} NOT NULL,
    real_id {{str 255}} NOT NULL,
    PRIMARY KEY (operation_id, included_index)
)
