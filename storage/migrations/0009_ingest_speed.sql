-- Faster ingest (issues 2 and 3): the writer of a catch-up is what limits it.
--
-- The store files a record's cells and a room's amenities itself, row by row
-- from prepared statements (storage/ingest.go, derive.go), instead of
-- triggers that parse the JSON of every row they insert (json_each): the
-- triggers that inserted go, those that delete stay.
DROP TRIGGER records_ai;
DROP TRIGGER rooms_ai;
DROP TRIGGER records_au;
CREATE TRIGGER records_au AFTER UPDATE ON records BEGIN
    DELETE FROM record_cells
        WHERE cell IN (SELECT value FROM json_each(old.cells)) AND issued_at = old.issued_at AND hash = old.hash;
    DELETE FROM rooms WHERE rid = old.rid;
    DELETE FROM rides WHERE rid = old.rid;
    DELETE FROM calendars WHERE rid = old.rid;
END;

-- Records are no longer looked up by hash alone: sync asks for them by their
-- sync item in a cell (record_cells' key, then records by id), and the
-- outbox by id and hash. An index on the hash, random by nature, cost a
-- page written per record stored once the store outgrew a batch.
DROP INDEX records_hash;
