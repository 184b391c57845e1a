-- Changes to users and teams (who changed whose rights, what, when). Append-only like the journal.
create table admin_events (
    id blob primary key,
    municipality_id blob not null references municipalities (id),
    actor_id blob references users (id),
    subject_user_id blob references users (id),
    action text not null,
    detail text not null,
    at text not null
);
create index admin_events_at on admin_events (municipality_id, at);

create trigger admin_events_no_update before update on admin_events
begin select raise(abort, 'admin_events is append-only'); end;
create trigger admin_events_no_delete before delete on admin_events
begin select raise(abort, 'admin_events is append-only'); end;
