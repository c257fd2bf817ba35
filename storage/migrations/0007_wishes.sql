-- Wishes (DESIGN §3 kind "wish"): what renters look for, so owners find
-- renters too. One row per current wish record, keyed by records.rid, with
-- its area in an R*Tree: a stay's area, or the box around a ride wish's
-- pickup that a route must pass through. Derived at ingest like rooms and
-- rides, and dropped with their record (a tombstone replaces it, expiry
-- deletes it).
CREATE TABLE wishes (
    rid        INTEGER PRIMARY KEY,
    id         TEXT    NOT NULL,
    author     TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    issued_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    type       TEXT    NOT NULL, -- stay or ride
    body       TEXT    NOT NULL  -- the wish body, JSON as signed
);
CREATE INDEX wishes_author ON wishes(author, expires_at);
CREATE VIRTUAL TABLE wishes_geo USING rtree(id, min_lon, max_lon, min_lat, max_lat);

CREATE TRIGGER wishes_records_au AFTER UPDATE ON records BEGIN
    DELETE FROM wishes WHERE rid = old.rid;
END;
CREATE TRIGGER wishes_records_ad AFTER DELETE ON records BEGIN
    DELETE FROM wishes WHERE rid = old.rid;
END;
CREATE TRIGGER wishes_ad AFTER DELETE ON wishes BEGIN
    DELETE FROM wishes_geo WHERE id = old.rid;
END;

-- Offers: an owner's answer to a wish, a private message (never synced).
-- Kept on both sides: the owner's sent offers and the renter's received
-- ones, with the booking request an accepted offer became.
CREATE TABLE offers (
    id         TEXT    PRIMARY KEY, -- the id of the message that carried it
    wish_id    TEXT    NOT NULL,
    listing_id TEXT    NOT NULL,
    owner      TEXT    NOT NULL,
    renter     TEXT    NOT NULL,
    outgoing   INTEGER NOT NULL,   -- 1: this user made it
    sent_at    INTEGER NOT NULL,   -- unix ms
    body       BLOB    NOT NULL,   -- the offer as sent, JSON
    booking_id TEXT                -- the booking request it became
);
CREATE INDEX offers_wish ON offers(wish_id, sent_at);
