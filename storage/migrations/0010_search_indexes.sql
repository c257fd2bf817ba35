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
