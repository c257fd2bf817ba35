-- A room's blocked days as a bitmap on its row (issue 4): a search checks a
-- room against its nights in the index rooms_band, without a probe of
-- room_blocked per room.
--
-- blocked_days has bit k set when day blocked_from + k is blocked. It is
-- kept when all of the room's blocked days lie within 62 days (blocked_to -
-- blocked_from <= 62: every bit stays below the sign bit), and is NULL
-- otherwise (no blocked day, or a longer span: a search then probes
-- room_blocked as before). The triggers of migration 0010 that keep the span
-- are made again to keep the bitmap with it: a blocked day inserted adds its
-- bits (shifted when it moves blocked_from); a room inserted or a blocked
-- day deleted computes span and bitmap from the room's rows in room_blocked,
-- where overlapping ranges are merged first (runs of ranges, in order of
-- their start, each starting at or before the latest end before it), so that
-- the runs' bits add up to the bitmap. That query is spelled out in the
-- UPDATE and in two triggers: made a view, SQLite does not push the room's
-- WHERE through its window functions, and reads every room's calendar.
--
-- A room is inserted with none of this when no calendar names it yet (the
-- trigger's WHEN): rooms mostly arrive before their calendars, and the
-- update rewrote each new row and its rooms_band entry for nothing.
ALTER TABLE rooms ADD COLUMN blocked_days INTEGER;

UPDATE rooms SET (blocked_from, blocked_to, blocked_days) = (SELECT min(s), max(t), sum(bits) FROM (
        SELECT min(from_day) s, max(to_day) t, CASE WHEN min(span) <= 62
            THEN ((1 << (max(max(to_day, from_day)) - min(from_day))) - 1) << (min(from_day) - min(base)) END bits
        FROM (SELECT from_day, to_day, base, span,
                sum(gap) OVER (ORDER BY from_day, to_day, k ROWS UNBOUNDED PRECEDING) run
            FROM (SELECT b.rowid k, b.from_day, b.to_day, min(b.from_day) OVER () base,
                    max(b.to_day) OVER () - min(b.from_day) OVER () span,
                    b.from_day > coalesce(max(b.to_day) OVER (ORDER BY b.from_day, b.to_day, b.rowid
                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), b.from_day - 1) gap
                FROM room_blocked b WHERE b.room_id = rooms.id AND b.author = rooms.author))
        GROUP BY run))
    WHERE blocked_from IS NOT NULL;

DROP TRIGGER rooms_ai_blocked;
CREATE TRIGGER rooms_ai_blocked AFTER INSERT ON rooms
    WHEN EXISTS (SELECT 1 FROM room_blocked b WHERE b.room_id = new.id AND b.author = new.author)
BEGIN
    UPDATE rooms SET (blocked_from, blocked_to, blocked_days) = (SELECT min(s), max(t), sum(bits) FROM (
            SELECT min(from_day) s, max(to_day) t, CASE WHEN min(span) <= 62
                THEN ((1 << (max(max(to_day, from_day)) - min(from_day))) - 1) << (min(from_day) - min(base)) END bits
            FROM (SELECT from_day, to_day, base, span,
                    sum(gap) OVER (ORDER BY from_day, to_day, k ROWS UNBOUNDED PRECEDING) run
                FROM (SELECT b.rowid k, b.from_day, b.to_day, min(b.from_day) OVER () base,
                        max(b.to_day) OVER () - min(b.from_day) OVER () span,
                        b.from_day > coalesce(max(b.to_day) OVER (ORDER BY b.from_day, b.to_day, b.rowid
                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), b.from_day - 1) gap
                    FROM room_blocked b WHERE b.room_id = new.id AND b.author = new.author))
            GROUP BY run))
        WHERE rid = new.rid;
END;

DROP TRIGGER room_blocked_ai;
CREATE TRIGGER room_blocked_ai AFTER INSERT ON room_blocked BEGIN
    UPDATE rooms SET blocked_from = min(coalesce(blocked_from, new.from_day), new.from_day),
        blocked_to = max(coalesce(blocked_to, new.to_day), new.to_day),
        blocked_days = CASE
            WHEN max(coalesce(blocked_to, new.to_day), new.to_day) - min(coalesce(blocked_from, new.from_day), new.from_day) > 62
                THEN NULL
            WHEN blocked_from IS NULL
                THEN (1 << max(new.to_day - new.from_day, 0)) - 1
            ELSE (blocked_days << (blocked_from - min(blocked_from, new.from_day)))
                | (((1 << max(new.to_day - new.from_day, 0)) - 1) << (new.from_day - min(blocked_from, new.from_day)))
        END
        WHERE rid = (SELECT rid FROM records WHERE id = new.room_id) AND author = new.author;
END;

DROP TRIGGER room_blocked_ad;
CREATE TRIGGER room_blocked_ad AFTER DELETE ON room_blocked BEGIN
    UPDATE rooms SET (blocked_from, blocked_to, blocked_days) = (SELECT min(s), max(t), sum(bits) FROM (
            SELECT min(from_day) s, max(to_day) t, CASE WHEN min(span) <= 62
                THEN ((1 << (max(max(to_day, from_day)) - min(from_day))) - 1) << (min(from_day) - min(base)) END bits
            FROM (SELECT from_day, to_day, base, span,
                    sum(gap) OVER (ORDER BY from_day, to_day, k ROWS UNBOUNDED PRECEDING) run
                FROM (SELECT b.rowid k, b.from_day, b.to_day, min(b.from_day) OVER () base,
                        max(b.to_day) OVER () - min(b.from_day) OVER () span,
                        b.from_day > coalesce(max(b.to_day) OVER (ORDER BY b.from_day, b.to_day, b.rowid
                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), b.from_day - 1) gap
                    FROM room_blocked b WHERE b.room_id = old.room_id AND b.author = old.author))
            GROUP BY run))
        WHERE rid = (SELECT rid FROM records WHERE id = old.room_id) AND author = old.author;
END;

-- rooms_band holds the bitmap with the span: the search reads both there.
DROP INDEX rooms_band;
CREATE INDEX rooms_band ON rooms(CAST((lat + 90) * 50 AS INTEGER), lon, lat,
    max_guests, expires_at, price_per_night, id, author, blocked_from, blocked_to, blocked_days);
