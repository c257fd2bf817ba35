-- Raw signed records: the source of truth. One row per id, holding its current
-- version (tombstones included). rid is a stable integer key that every derived
-- row shares, so R*Tree and FTS5 rows can point at it.
CREATE TABLE records (
    rid        INTEGER PRIMARY KEY,
    id         TEXT    NOT NULL UNIQUE,
    kind       TEXT    NOT NULL,
    author     TEXT    NOT NULL,
    version    INTEGER NOT NULL, -- uint64 stored bit for bit as int64
    issued_at  INTEGER NOT NULL, -- unix ms
    expires_at INTEGER NOT NULL, -- unix ms
    hash       BLOB    NOT NULL, -- domain.Record.Hash, 32 bytes
    cells      TEXT    NOT NULL, -- JSON array of "z/x/y"
    raw        BLOB    NOT NULL  -- domain.Record.Encode, exactly as signed
);
CREATE INDEX records_hash ON records(hash);
CREATE INDEX records_expires ON records(expires_at);

-- Sync items per cell, in the order catch-up reconciles them.
CREATE TABLE record_cells (
    cell       TEXT    NOT NULL,
    issued_at  INTEGER NOT NULL,
    hash       BLOB    NOT NULL,
    id         TEXT    NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (cell, issued_at, hash)
) WITHOUT ROWID;

-- Rooms: one row per current room record, keyed by records.rid.
CREATE TABLE rooms (
    rid             INTEGER PRIMARY KEY,
    id              TEXT    NOT NULL,
    author          TEXT    NOT NULL,
    version         INTEGER NOT NULL,
    issued_at       INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    title           TEXT    NOT NULL,
    description     TEXT    NOT NULL,
    lat             REAL    NOT NULL,
    lon             REAL    NOT NULL,
    price_per_night REAL    NOT NULL,
    currency        TEXT    NOT NULL,
    max_guests      INTEGER NOT NULL,
    amenities       TEXT    NOT NULL, -- JSON array
    photos          TEXT    NOT NULL  -- JSON array
);
CREATE INDEX rooms_issued ON rooms(issued_at);
CREATE VIRTUAL TABLE rooms_geo USING rtree(id, min_lon, max_lon, min_lat, max_lat);
CREATE VIRTUAL TABLE rooms_fts USING fts5(
    title, description,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TABLE room_amenities (
    rid     INTEGER NOT NULL,
    amenity TEXT    NOT NULL COLLATE NOCASE,
    PRIMARY KEY (rid, amenity)
) WITHOUT ROWID;

-- Rides, with the bounding box of the route in the R*Tree.
CREATE TABLE rides (
    rid            INTEGER PRIMARY KEY,
    id             TEXT    NOT NULL,
    author         TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    issued_at      INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    title          TEXT    NOT NULL,
    route          TEXT    NOT NULL, -- JSON array of [lon, lat]
    stopovers      TEXT    NOT NULL, -- JSON array
    depart_at      INTEGER NOT NULL, -- unix ms
    depart_offset  INTEGER NOT NULL, -- seconds east of UTC, as written by the author
    seats          INTEGER NOT NULL,
    seats_left     INTEGER NOT NULL,
    price_per_seat REAL    NOT NULL,
    currency       TEXT    NOT NULL,
    min_lon        REAL    NOT NULL,
    min_lat        REAL    NOT NULL,
    max_lon        REAL    NOT NULL,
    max_lat        REAL    NOT NULL
);
CREATE INDEX rides_depart ON rides(depart_at);
CREATE VIRTUAL TABLE rides_geo USING rtree(id, min_lon, max_lon, min_lat, max_lat);

-- Calendars and the day ranges they block (days since 1970-01-01, [from, to)).
CREATE TABLE calendars (
    rid     INTEGER PRIMARY KEY,
    room_id TEXT NOT NULL,
    author  TEXT NOT NULL,
    blocked TEXT NOT NULL -- JSON array of [from_day, to_day]
);
CREATE INDEX calendars_room ON calendars(room_id);
CREATE TABLE room_blocked (
    cal_rid  INTEGER NOT NULL,
    room_id  TEXT    NOT NULL,
    author   TEXT    NOT NULL,
    from_day INTEGER NOT NULL,
    to_day   INTEGER NOT NULL
);
CREATE INDEX room_blocked_room ON room_blocked(room_id, from_day);
CREATE INDEX room_blocked_cal ON room_blocked(cal_rid);

-- The triggers keep the derived rows in step when a record is replaced or
-- deleted, and derive the cheap rows (sync cells, amenities, blocked days).
-- The store inserts the main rows (rooms, rides, calendars) and, last in each
-- transaction, the R*Tree and FTS5 rows: a virtual table written from a
-- trigger, or before other statements of the transaction, is flushed at every
-- statement savepoint, which made ingest several times slower.
CREATE TRIGGER records_ai AFTER INSERT ON records BEGIN
    INSERT OR IGNORE INTO record_cells(cell, issued_at, hash, id, expires_at)
        SELECT value, new.issued_at, new.hash, new.id, new.expires_at FROM json_each(new.cells);
END;
CREATE TRIGGER records_au AFTER UPDATE ON records BEGIN
    DELETE FROM record_cells
        WHERE cell IN (SELECT value FROM json_each(old.cells)) AND issued_at = old.issued_at AND hash = old.hash;
    DELETE FROM rooms WHERE rid = old.rid;
    DELETE FROM rides WHERE rid = old.rid;
    DELETE FROM calendars WHERE rid = old.rid;
    INSERT OR IGNORE INTO record_cells(cell, issued_at, hash, id, expires_at)
        SELECT value, new.issued_at, new.hash, new.id, new.expires_at FROM json_each(new.cells);
END;
CREATE TRIGGER records_ad AFTER DELETE ON records BEGIN
    DELETE FROM record_cells
        WHERE cell IN (SELECT value FROM json_each(old.cells)) AND issued_at = old.issued_at AND hash = old.hash;
    DELETE FROM rooms WHERE rid = old.rid;
    DELETE FROM rides WHERE rid = old.rid;
    DELETE FROM calendars WHERE rid = old.rid;
END;

CREATE TRIGGER rooms_ai AFTER INSERT ON rooms BEGIN
    INSERT OR IGNORE INTO room_amenities(rid, amenity) SELECT new.rid, value FROM json_each(new.amenities);
END;
CREATE TRIGGER rooms_ad AFTER DELETE ON rooms BEGIN
    DELETE FROM rooms_geo WHERE id = old.rid;
    DELETE FROM rooms_fts WHERE rowid = old.rid;
    DELETE FROM room_amenities WHERE rid = old.rid;
END;

CREATE TRIGGER rides_ad AFTER DELETE ON rides BEGIN
    DELETE FROM rides_geo WHERE id = old.rid;
END;

CREATE TRIGGER calendars_ai AFTER INSERT ON calendars BEGIN
    INSERT INTO room_blocked(cal_rid, room_id, author, from_day, to_day)
        SELECT new.rid, new.room_id, new.author, value ->> 0, value ->> 1 FROM json_each(new.blocked);
END;
CREATE TRIGGER calendars_ad AFTER DELETE ON calendars BEGIN
    DELETE FROM room_blocked WHERE cal_rid = old.rid;
END;
