-- Room and ride search at a million listings (issue 4).
--
-- rooms_band orders rooms by band of latitude (a fiftieth of a degree, about
-- 2.2 km), then longitude, and holds what the view's filters and ranking
-- read: the rooms of a view are a few runs of neighbouring entries, where
-- the R*Tree leads to as many rows scattered over the rooms table. The
-- expression must stay the one storage.roomsIn writes (and latBand computes).
CREATE INDEX rooms_band ON rooms(CAST((lat + 90) * 50 AS INTEGER), lon, lat,
    max_guests, expires_at, price_per_night, id, author);

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
