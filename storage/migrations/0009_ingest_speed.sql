-- Faster ingest (issues 2 and 3): the writer of a catch-up is what limits it.
--
-- The store files a record's cells and a room's amenities itself, row by row
-- from prepared statements (storage/ingest.go, derive.go), instead of
-- triggers that parse the JSON of every row they insert (json_each): the
-- triggers that inserted go, those that delete stay.
DROP TRIGGER records_ai;
DROP TRIGGER rooms_ai;

-- Records are no longer looked up by hash alone: sync asks for them by their
-- sync item in a cell (record_cells' key, then records by id), and the
-- outbox by id and hash. An index on the hash, random by nature, cost a
-- page written per record stored once the store outgrew a batch.
DROP INDEX records_hash;

-- record_cells names each item's record by rid instead of id: a row a third
-- smaller (fewer pages to write as the index grows), and a record found from
-- its item without the id index. The triggers that name the table are made
-- again around the rebuild.
DROP TRIGGER records_au;
DROP TRIGGER records_ad;
DROP TRIGGER record_persons_ai;
DROP TRIGGER records_persons_au;
DROP TRIGGER records_persons_ad;
CREATE TABLE record_cells_0009 (
    cell       TEXT    NOT NULL,
    issued_at  INTEGER NOT NULL,
    hash       BLOB    NOT NULL,
    rid        INTEGER NOT NULL, -- records.rid
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (cell, issued_at, hash)
) WITHOUT ROWID;
INSERT INTO record_cells_0009(cell, issued_at, hash, rid, expires_at)
    SELECT c.cell, c.issued_at, c.hash, r.rid, c.expires_at FROM record_cells c JOIN records r ON r.id = c.id;
DROP TABLE record_cells;
ALTER TABLE record_cells_0009 RENAME TO record_cells;

CREATE TRIGGER records_au AFTER UPDATE ON records BEGIN
    DELETE FROM record_cells
        WHERE cell IN (SELECT value FROM json_each(old.cells)) AND issued_at = old.issued_at AND hash = old.hash;
    DELETE FROM rooms WHERE rid = old.rid;
    DELETE FROM rides WHERE rid = old.rid;
    DELETE FROM calendars WHERE rid = old.rid;
END;
CREATE TRIGGER records_ad AFTER DELETE ON records BEGIN
    DELETE FROM record_cells
        WHERE cell IN (SELECT value FROM json_each(old.cells)) AND issued_at = old.issued_at AND hash = old.hash;
    DELETE FROM rooms WHERE rid = old.rid;
    DELETE FROM rides WHERE rid = old.rid;
    DELETE FROM calendars WHERE rid = old.rid;
END;
CREATE TRIGGER record_persons_ai AFTER INSERT ON record_persons BEGIN
    INSERT OR IGNORE INTO record_cells(cell, issued_at, hash, rid, expires_at)
        SELECT new.person, issued_at, hash, rid, expires_at FROM records WHERE rid = new.rid;
END;
CREATE TRIGGER records_persons_au AFTER UPDATE ON records BEGIN
    DELETE FROM record_cells WHERE cell IN (SELECT person FROM record_persons WHERE rid = old.rid)
        AND issued_at = old.issued_at AND hash = old.hash;
    DELETE FROM record_persons WHERE rid = old.rid AND new.kind != 'tombstone';
    INSERT OR IGNORE INTO record_cells(cell, issued_at, hash, rid, expires_at)
        SELECT person, new.issued_at, new.hash, new.rid, new.expires_at FROM record_persons WHERE rid = new.rid;
    DELETE FROM vouches WHERE rid = old.rid;
END;
CREATE TRIGGER records_persons_ad AFTER DELETE ON records BEGIN
    DELETE FROM record_cells WHERE cell IN (SELECT person FROM record_persons WHERE rid = old.rid)
        AND issued_at = old.issued_at AND hash = old.hash;
    DELETE FROM record_persons WHERE rid = old.rid;
    DELETE FROM vouches WHERE rid = old.rid;
END;
