-- Private messages (DESIGN §4, issue 3 item 6).
--
-- mailbox_held: sealed messages this peer carries for others, opaque to it,
-- handed over when their recipient connects and dropped once it acknowledges
-- them or after they expire (14 days after sending). Never sent by sync.
CREATE TABLE mailbox_held (
    hash        BLOB    PRIMARY KEY, -- domain.Sealed.Hash
    recipient   TEXT    NOT NULL,    -- peer ID it is sealed to
    received_at INTEGER NOT NULL,    -- unix ms
    expires_at  INTEGER NOT NULL,    -- unix ms
    box         BLOB    NOT NULL     -- the age ciphertext
) WITHOUT ROWID;
CREATE INDEX mailbox_held_recipient ON mailbox_held(recipient, received_at);
CREATE INDEX mailbox_held_expiry ON mailbox_held(expires_at);

-- messages: the user's own private messages, opened: received and sent, each
-- with its author's signature. Never sent by sync.
CREATE TABLE messages (
    author      TEXT    NOT NULL,
    id          TEXT    NOT NULL,    -- UUIDv7, unique per author
    recipient   TEXT    NOT NULL,
    peer        TEXT    NOT NULL,    -- the other party: recipient when outgoing, author when incoming
    outgoing    INTEGER NOT NULL,    -- 1 sent by the user, 0 received
    kind        TEXT    NOT NULL,
    sent_at     INTEGER NOT NULL,    -- unix ms, as signed
    body        BLOB    NOT NULL,
    sig         BLOB    NOT NULL,
    status      TEXT    NOT NULL,    -- queued, sent, delivered, failed, expired (outgoing); received (incoming)
    updated_at  INTEGER NOT NULL,    -- unix ms of the last status change (arrival, for incoming)
    expires_at  INTEGER NOT NULL,    -- unix ms: an outgoing message not sent by then is given up
    sealed_hash BLOB,                -- outgoing: hash of its sealed form, acknowledged by the recipient
    box         BLOB,                -- outgoing and queued: the sealed form waiting to be sent
    PRIMARY KEY (author, id)
) WITHOUT ROWID;
CREATE INDEX messages_peer ON messages(peer, sent_at);
CREATE INDEX messages_queued ON messages(expires_at) WHERE status = 'queued';
CREATE INDEX messages_sealed ON messages(sealed_hash) WHERE sealed_hash IS NOT NULL;
