-- Each journal entry shown looks up the note that corrects it; without an index that is a scan
-- of the whole journal per entry (20 s for one page at the national scale of issue 8).
create index journal_entries_corrects on journal_entries (corrects_id) where corrects_id is not null;
