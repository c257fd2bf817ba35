-- Bookings and reviews (DESIGN §4–§5, issue 6).
--
-- bookings: the user's own bookings, as renter or as owner: the signed terms,
-- both signatures once accepted, and where the booking stands. Private: never
-- sent by sync.
CREATE TABLE bookings (
    id           TEXT    PRIMARY KEY, -- booking id (UUIDv7 chosen by the renter)
    role         TEXT    NOT NULL,    -- the user's side: owner or renter
    listing_id   TEXT    NOT NULL,
    listing_kind TEXT    NOT NULL,    -- room or ride
    owner        TEXT    NOT NULL,
    renter       TEXT    NOT NULL,
    from_day     TEXT    NOT NULL,    -- YYYY-MM-DD
    to_day       TEXT    NOT NULL,    -- YYYY-MM-DD, '' for a ride
    guests       INTEGER NOT NULL,
    seats        INTEGER NOT NULL,
    start_at     INTEGER NOT NULL,    -- unix ms
    end_at       INTEGER NOT NULL,    -- unix ms
    requested_at INTEGER NOT NULL,    -- unix ms, as signed
    status       TEXT    NOT NULL,    -- requested, accepted, declined, cancelled, completed
    reason       TEXT    NOT NULL DEFAULT '', -- why declined or cancelled
    terms        BLOB    NOT NULL,    -- domain.BookingTerms JSON exactly as signed
    renter_sig   BLOB    NOT NULL,
    owner_sig    BLOB,                -- once accepted
    note         TEXT    NOT NULL DEFAULT '', -- the renter's word with the request
    address      TEXT    NOT NULL DEFAULT '', -- given by the owner with the acceptance
    contact      TEXT    NOT NULL DEFAULT '',
    paid_at      INTEGER NOT NULL DEFAULT 0, -- unix ms the renter marked it paid (its signed message is the receipt)
    received_at  INTEGER NOT NULL DEFAULT 0, -- unix ms the owner marked the payment received
    updated_at   INTEGER NOT NULL     -- unix ms of the last change
);
CREATE INDEX bookings_listing ON bookings(listing_id, status);
CREATE INDEX bookings_updated ON bookings(updated_at);

-- review_drafts: the user's own reviews, sealed and waiting to be revealed
-- (when the other party's seal arrives, or RevealAfter the end). Private.
CREATE TABLE review_drafts (
    booking_id TEXT    PRIMARY KEY,
    content    BLOB    NOT NULL,      -- domain.ReviewContent JSON
    nonce      TEXT    NOT NULL,
    seal_id    TEXT    NOT NULL,      -- the review-seal record's id
    review_id  TEXT    NOT NULL DEFAULT '', -- the review record's id, once revealed
    reveal_at  INTEGER NOT NULL,      -- unix ms: from when it may be revealed alone
    note       TEXT    NOT NULL DEFAULT '' -- a private word to the other party, sent with the reveal
);

-- Derived from review-seal and review records (public, rebuilt by Rebuild).
CREATE TABLE review_seals (
    rid        INTEGER PRIMARY KEY,   -- records.rid
    id         TEXT    NOT NULL,
    booking_id TEXT    NOT NULL,
    author     TEXT    NOT NULL
);
CREATE INDEX review_seals_booking ON review_seals(booking_id, author);
CREATE TABLE reviews (
    rid          INTEGER PRIMARY KEY, -- records.rid
    id           TEXT    NOT NULL,
    booking_id   TEXT    NOT NULL,
    seal_id      TEXT    NOT NULL,    -- the author's seal it opens
    listing_id   TEXT    NOT NULL,
    listing_kind TEXT    NOT NULL,
    author       TEXT    NOT NULL,
    subject      TEXT    NOT NULL,    -- the other party: whom the review is about
    author_role  TEXT    NOT NULL,    -- owner or renter
    stars        INTEGER NOT NULL,
    categories   TEXT    NOT NULL,    -- JSON object of category stars
    text         TEXT    NOT NULL,
    issued_at    INTEGER NOT NULL,
    end_at       INTEGER NOT NULL     -- the booking's end
);
CREATE INDEX reviews_subject ON reviews(subject, issued_at);
CREATE INDEX reviews_listing ON reviews(listing_id);
CREATE INDEX reviews_booking ON reviews(booking_id, author);

CREATE TRIGGER review_records_au AFTER UPDATE ON records BEGIN
    DELETE FROM reviews WHERE rid = old.rid;
    DELETE FROM review_seals WHERE rid = old.rid;
END;
CREATE TRIGGER review_records_ad AFTER DELETE ON records BEGIN
    DELETE FROM reviews WHERE rid = old.rid;
    DELETE FROM review_seals WHERE rid = old.rid;
END;

-- blocked: people the user blocked: their listings hidden, their messages and
-- requests refused. reports: private notes about a person, kept here only.
CREATE TABLE blocked (
    peer       TEXT    PRIMARY KEY,
    reason     TEXT    NOT NULL DEFAULT '',
    blocked_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE reports (
    id         INTEGER PRIMARY KEY,
    peer       TEXT    NOT NULL,
    note       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX reports_peer ON reports(peer, created_at);
