-- Person topics, vouches and conversations per booking (DESIGN §5, §7).

-- record_persons: the person topics (domain.PersonTopics) a record travels on
-- beyond its cells: a profile's author's, a review's subject's. Each row puts
-- the record's sync item under the person key in record_cells, so catch-up
-- reconciles a person topic exactly like a cell. A tombstone keeps the rows
-- of the record it deletes, so it travels where that record did. Vouches carry
-- their person key in their cells and need no row here.
CREATE TABLE record_persons (
    rid    INTEGER NOT NULL, -- records.rid
    person TEXT    NOT NULL, -- "person/<hh>"
    PRIMARY KEY (rid, person)
) WITHOUT ROWID;

CREATE TRIGGER record_persons_ai AFTER INSERT ON record_persons BEGIN
    INSERT OR IGNORE INTO record_cells(cell, issued_at, hash, id, expires_at)
        SELECT new.person, issued_at, hash, id, expires_at FROM records WHERE rid = new.rid;
END;
CREATE TRIGGER records_persons_au AFTER UPDATE ON records BEGIN
    DELETE FROM record_cells WHERE cell IN (SELECT person FROM record_persons WHERE rid = old.rid)
        AND issued_at = old.issued_at AND hash = old.hash;
    DELETE FROM record_persons WHERE rid = old.rid AND new.kind != 'tombstone';
    INSERT OR IGNORE INTO record_cells(cell, issued_at, hash, id, expires_at)
        SELECT person, new.issued_at, new.hash, new.id, new.expires_at FROM record_persons WHERE rid = new.rid;
    DELETE FROM vouches WHERE rid = old.rid;
END;
CREATE TRIGGER records_persons_ad AFTER DELETE ON records BEGIN
    DELETE FROM record_cells WHERE cell IN (SELECT person FROM record_persons WHERE rid = old.rid)
        AND issued_at = old.issued_at AND hash = old.hash;
    DELETE FROM record_persons WHERE rid = old.rid;
    DELETE FROM vouches WHERE rid = old.rid;
END;

-- vouches: derived from vouch records (public, rebuilt by Rebuild). An author
-- keeps one live vouch per subject, a new version of one record; should two
-- records of one author for one subject be stored, the newest counts.
CREATE TABLE vouches (
    rid        INTEGER PRIMARY KEY, -- records.rid
    id         TEXT    NOT NULL,
    author     TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    text       TEXT    NOT NULL,
    issued_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX vouches_subject ON vouches(subject, author, issued_at);
CREATE INDEX vouches_author ON vouches(author, subject, issued_at);

-- Profiles by author, for the names shown beside vouches and reviews.
CREATE INDEX records_profile_author ON records(author) WHERE kind = 'profile';

-- Profiles and reviews stored before person topics are filed under theirs
-- by Store.IndexPersons (it needs SHA-256), once: this row asks for it.
INSERT INTO state(key, value, updated_at)
    SELECT 'persons_backfill', X'', 0 WHERE EXISTS (SELECT 1 FROM records WHERE kind IN ('profile', 'review'));
