-- Placeholder on branch perf-search only: migration 0009 belongs to another
-- branch, and migrations must be numbered contiguously. Delete this file when
-- merging; 0010_search_indexes.sql does not depend on 0009.
SELECT 1;
