-- Along-route ride search (issue 4).
--
-- arrive_at is the estimated arrival of each ride (domain.ArrivalAt, unix ms):
-- no pickup along the route is later, so a search skips rides that arrive
-- before the rider's window opens. Rides derived before this migration get
-- the largest value ("unknown", never skipped) until Rebuild; rides expire an
-- hour after departure anyway.
ALTER TABLE rides ADD COLUMN arrive_at INTEGER NOT NULL DEFAULT 9223372036854775807;
CREATE INDEX rides_arrive ON rides(arrive_at);

-- The boxes of the stretches of each route (domain.RouteLegs), id = rid << 12
-- | index: a route passes near a point only if one of its stretches does.
-- leg_ids lists a ride's ids so the trigger can delete them.
CREATE VIRTUAL TABLE ride_legs_geo USING rtree(id, min_lon, max_lon, min_lat, max_lat);
ALTER TABLE rides ADD COLUMN leg_ids TEXT NOT NULL DEFAULT '[]';
CREATE TRIGGER rides_ad_legs AFTER DELETE ON rides BEGIN
    DELETE FROM ride_legs_geo WHERE id IN (SELECT value FROM json_each(old.leg_ids));
END;

-- Rides already stored: one stretch per segment (Rebuild makes the usual ones).
INSERT INTO ride_legs_geo(id, min_lon, max_lon, min_lat, max_lat)
    SELECT (r.rid << 12) + b.key, min(a.value ->> 0, b.value ->> 0), max(a.value ->> 0, b.value ->> 0),
        min(a.value ->> 1, b.value ->> 1), max(a.value ->> 1, b.value ->> 1)
    FROM rides r, json_each(r.route) a, json_each(r.route) b WHERE b.key = a.key + 1;
UPDATE rides SET leg_ids = (SELECT json_group_array((rides.rid << 12) + key) FROM json_each(rides.route) WHERE key > 0);
