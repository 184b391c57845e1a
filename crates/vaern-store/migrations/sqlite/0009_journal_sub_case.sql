-- A journal entry may concern one sub-case of the child's case (the journal shows them all).
alter table journal_entries add column sub_case_id blob references sub_cases (id);
create index journal_entries_sub_case on journal_entries (sub_case_id);
