-- The append-only triggers of 0001, 0003 and 0010 are row-level BEFORE UPDATE OR DELETE, and
-- TRUNCATE fires no row triggers: the table owner or a superuser could empty an append-only
-- table past them. A statement-level BEFORE TRUNCATE trigger closes that gap; it also fires for a
-- table emptied by `truncate … cascade` from a table it references. refuse_change() needs no
-- change: tg_table_name is set for statement-level triggers too. (The app role has no truncate
-- grant on these tables; this is the wall for the connections grants do not stop.)
create trigger journal_entries_no_truncate before truncate on journal_entries
    for each statement execute function refuse_change();
create trigger access_log_no_truncate before truncate on access_log
    for each statement execute function refuse_change();
create trigger admin_events_no_truncate before truncate on admin_events
    for each statement execute function refuse_change();
create trigger document_versions_no_truncate before truncate on document_versions
    for each statement execute function refuse_change();
create trigger letter_templates_no_truncate before truncate on letter_templates
    for each statement execute function refuse_change();
