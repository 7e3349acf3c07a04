-- migrate:up

-- What the estimates read, without touching the wide rows. Both indexes hold
-- only columns that are written once (a page's first counted read, a page's
-- word count), so the timer's frequent updates of page_stats stay HOT
-- updates (no index entries to write) and the index pages stay all-visible
-- for index-only scans.

CREATE INDEX page_stats_read_idx ON page_stats (user_id, pdf_id, first_read_at) WHERE first_read_at IS NOT NULL;
COMMENT ON INDEX page_stats_read_idx IS 'The pages with counted reading, per PDF, by when each was first read: serves ListEstimatePDFs (pages read and first-read span per PDF, an index-only scan), ListEstimateObservations (a PDF''s pages first read since a time) and FinishPDFEstimateRecord.';

CREATE INDEX pdf_pages_words_idx ON pdf_pages (user_id, pdf_id, page) INCLUDE (word_count);
COMMENT ON INDEX pdf_pages_words_idx IS 'Word counts without reading the page text (an index-only scan): serves ListEstimatePageWords.';

-- migrate:down
DROP INDEX pdf_pages_words_idx;
DROP INDEX page_stats_read_idx;
