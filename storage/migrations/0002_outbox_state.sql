-- The local user's own records waiting to be published by whichever process
-- runs the node (the CLI may post while a node runs in another process).
CREATE TABLE outbox (
    hash      BLOB    PRIMARY KEY,
    id        TEXT    NOT NULL,
    queued_at INTEGER NOT NULL -- unix ms
) WITHOUT ROWID;
CREATE INDEX outbox_queued ON outbox(queued_at);

-- Node runtime state that CLI commands read (listen addresses, peers, ...).
CREATE TABLE state (
    key        TEXT    PRIMARY KEY,
    value      BLOB    NOT NULL,
    updated_at INTEGER NOT NULL -- unix ms
) WITHOUT ROWID;
