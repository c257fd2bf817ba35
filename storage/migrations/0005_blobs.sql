-- Blobs (issue 3 item 7): photos and avatars, stored by content hash.
--
-- A blob is kept while one of the user's own live rooms lists it in photos
-- (the pin is derived at the time it matters, from the rooms table, so it
-- follows the listing: a new version, a tombstone, an expiry or a sweep
-- needs no hook); every other blob is a cache entry, evicted least recently
-- used first once the unpinned blobs pass the cache's size. The bytes are in
-- a table of their own, so sizing and ordering the cache reads a few small
-- pages rather than a page per blob.
CREATE TABLE blobs (
    hash        TEXT    PRIMARY KEY, -- lowercase hex SHA-256 of the data, as records name it
    size        INTEGER NOT NULL,    -- length of the data
    last_access INTEGER NOT NULL     -- unix ms of the last store or read (to a minute)
);
CREATE INDEX blobs_lru ON blobs(last_access);
CREATE TABLE blob_data (
    hash TEXT PRIMARY KEY REFERENCES blobs(hash) ON DELETE CASCADE,
    data BLOB NOT NULL
);

-- The user's own rooms, to find the photos they pin without a scan.
CREATE INDEX rooms_author ON rooms(author, expires_at);

-- Blobs a scripting command asked the running node (another process) to
-- fetch; the node deletes each once stored or given up.
CREATE TABLE blob_wants (
    hash     TEXT    PRIMARY KEY,
    author   TEXT    NOT NULL, -- who to ask first; '' when unknown
    asked_at INTEGER NOT NULL  -- unix ms
) WITHOUT ROWID;
