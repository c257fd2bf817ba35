-- Room and ride search at a million listings (issue 4).
--
-- rooms_band orders rooms by band of latitude (a fiftieth of a degree, about
-- 2.2 km), then longitude, and holds what the view's filters and ranking
-- read: the rooms of a view are a few runs of neighbouring entries, where
-- the R*Tree leads to as many rows scattered over the rooms table. The
-- expression must stay the one storage.roomsIn writes (and latBand computes).
--
-- blocked_from and blocked_to are the first and the last-but-one day
-- (epoch days, [from, to)) of all the blocked days of a room, NULL for none:
-- a search probes the calendar only for the rooms whose span meets its
-- nights. Triggers keep them: a room's row takes its span when it is
-- inserted, and a blocked day inserted or deleted updates its room's.
ALTER TABLE rooms ADD COLUMN blocked_from INTEGER;
ALTER TABLE rooms ADD COLUMN blocked_to INTEGER;
UPDATE rooms SET (blocked_from, blocked_to) = (SELECT min(b.from_day), max(b.to_day) FROM room_blocked b
        WHERE b.room_id = rooms.id AND b.author = rooms.author)
    WHERE id IN (SELECT room_id FROM room_blocked);
CREATE TRIGGER rooms_ai_blocked AFTER INSERT ON rooms BEGIN
    UPDATE rooms SET (blocked_from, blocked_to) = (SELECT min(b.from_day), max(b.to_day) FROM room_blocked b
        WHERE b.room_id = new.id AND b.author = new.author) WHERE rid = new.rid;
END;
CREATE TRIGGER room_blocked_ai AFTER INSERT ON room_blocked BEGIN
    UPDATE rooms SET blocked_from = min(coalesce(blocked_from, new.from_day), new.from_day),
        blocked_to = max(coalesce(blocked_to, new.to_day), new.to_day)
        WHERE rid = (SELECT rid FROM records WHERE id = new.room_id) AND author = new.author;
END;
CREATE TRIGGER room_blocked_ad AFTER DELETE ON room_blocked BEGIN
    UPDATE rooms SET (blocked_from, blocked_to) = (SELECT min(b.from_day), max(b.to_day) FROM room_blocked b
        WHERE b.room_id = old.room_id AND b.author = old.author)
        WHERE rid = (SELECT rid FROM records WHERE id = old.room_id) AND author = old.author;
END;
CREATE INDEX rooms_band ON rooms(CAST((lat + 90) * 50 AS INTEGER), lon, lat,
    max_guests, expires_at, price_per_night, id, author, blocked_from, blocked_to);

-- The calendar check of a search is one probe of this index, which holds
-- every column the check reads (it replaces room_blocked_room, a prefix).
DROP INDEX room_blocked_room;
CREATE INDEX room_blocked_room_days ON room_blocked(room_id, from_day, to_day, author);

-- An along-route search checks the time window and seats of the rides near
-- both points here, before it reads the rows (with their long routes).
CREATE INDEX rides_window ON rides(rid, depart_at, arrive_at, seats_left, expires_at);

-- The stretches' R*Tree gets a third dimension, time: each stretch spans its
-- ride's departure to its arrival (unix ms, stored as 32-bit floats rounded
-- outwards, so a search's window check in it never drops a ride that
-- rides_window would keep). Around a big city, tens of thousands of
-- stretches lie near a point but a tenth of them in a window of a few hours.
-- An R*Tree cannot gain a column: it is copied, rebuilt and filled again.
CREATE TABLE ride_legs_copy AS SELECT id, min_lon, max_lon, min_lat, max_lat FROM ride_legs_geo;
DROP TABLE ride_legs_geo;
CREATE VIRTUAL TABLE ride_legs_geo USING rtree(id, min_lon, max_lon, min_lat, max_lat, min_t, max_t);
INSERT INTO ride_legs_geo(id, min_lon, max_lon, min_lat, max_lat, min_t, max_t)
    SELECT c.id, c.min_lon, c.max_lon, c.min_lat, c.max_lat, r.depart_at, max(r.arrive_at, r.depart_at)
    FROM ride_legs_copy c JOIN rides r ON r.rid = c.id >> 12 ORDER BY c.id;
DROP TABLE ride_legs_copy;
