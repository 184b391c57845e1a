-- Row-level security: the second wall of tenant isolation (ARCHITECTURE.md principle 4).
-- The application sets app.municipality per transaction (vaern-store's TenantTx); auth lookups
-- that precede knowing the municipality (login by username, session and token lookup) set
-- app.auth = 'on' instead, and see only the auth tables. FORCE makes the policies bind the
-- table owner too; superusers bypass RLS, so the app runs as the ordinary role vaern_app.

alter table teams enable row level security;
alter table teams force row level security;
create policy tenant on teams
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid);

alter table children enable row level security;
alter table children force row level security;
create policy tenant on children
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid);

alter table case_counters enable row level security;
alter table case_counters force row level security;
create policy tenant on case_counters
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid);

alter table child_cases enable row level security;
alter table child_cases force row level security;
create policy tenant on child_cases
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid);

alter table journal_entries enable row level security;
alter table journal_entries force row level security;
create policy tenant on journal_entries
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid);

alter table access_log enable row level security;
alter table access_log force row level security;
create policy tenant on access_log
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid);

alter table users enable row level security;
alter table users force row level security;
create policy tenant_or_auth on users
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid
           or current_setting('app.auth', true) = 'on');

alter table sessions enable row level security;
alter table sessions force row level security;
create policy tenant_or_auth on sessions
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid
           or current_setting('app.auth', true) = 'on');

alter table api_tokens enable row level security;
alter table api_tokens force row level security;
create policy tenant_or_auth on api_tokens
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid
           or current_setting('app.auth', true) = 'on');
