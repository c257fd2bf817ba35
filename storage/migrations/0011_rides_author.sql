-- Rides by author, as rooms_author and wishes_author index rooms and wishes:
-- a user's own listings, and the cells they live in, are found through these
-- three indexes instead of a scan of every record (seconds at each start on a
-- store of a million rooms).
CREATE INDEX rides_author ON rides(author, expires_at);
