-- Placeholder for the mailbox helper's 0004 migration, so that 0005_blobs
-- applies on this branch (migrations must be numbered 1, 2, 3, ... without a
-- gap). Delete this file when the real 0004 lands.
SELECT 1;
