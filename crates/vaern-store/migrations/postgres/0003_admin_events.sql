-- Changes to users and teams (who changed whose rights, what, when). Append-only like the journal.
create table admin_events (
    id uuid primary key,
    municipality_id uuid not null references municipalities (id),
    actor_id uuid references users (id),
    subject_user_id uuid references users (id),
    action text not null,
    detail text not null,
    at timestamptz not null
);
create index admin_events_at on admin_events (municipality_id, at);

create trigger admin_events_append_only before update or delete on admin_events
    for each row execute function refuse_change();

alter table admin_events enable row level security;
alter table admin_events force row level security;
create policy tenant on admin_events
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid);
