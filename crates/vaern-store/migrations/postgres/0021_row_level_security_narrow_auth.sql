-- Narrow the auth exception of 0002 (issue 17): with app.auth on, before the municipality is
-- known, login needs to read users (by username, session or token), to keep sessions (create,
-- read, touch, end) and to read and create API tokens. It never needs to change a user or a
-- token of any municipality, so those rows are writable only within their municipality.
drop policy tenant_or_auth on users;
create policy tenant on users
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid);
create policy auth_read on users for select
    using (current_setting('app.auth', true) = 'on');

drop policy tenant_or_auth on api_tokens;
create policy tenant on api_tokens
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid);
create policy auth_read on api_tokens for select
    using (current_setting('app.auth', true) = 'on');
create policy auth_create on api_tokens for insert
    with check (current_setting('app.auth', true) = 'on');
