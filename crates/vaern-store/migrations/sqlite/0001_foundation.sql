-- Foundation schema: municipalities, teams, users, sessions, tokens, children, child cases,
-- journal and access log. Must describe the same schema as migrations/postgres/0001_foundation.sql
-- (a test compares them). SQLite has no row-level security.

create table municipalities (
    id blob primary key,
    code text not null unique,
    name text not null,
    created_at text not null
);

create table teams (
    id blob primary key,
    municipality_id blob not null references municipalities (id),
    name text not null,
    created_at text not null,
    unique (municipality_id, name)
);

create table users (
    id blob primary key,
    municipality_id blob not null references municipalities (id),
    team_id blob references teams (id),
    username text not null unique,
    name text not null,
    role text not null check (role in ('caseworker', 'team_lead', 'finance', 'admin', 'auditor')),
    password_hash text not null,
    active integer not null,
    created_at text not null,
    updated_at text not null
);
create index users_municipality on users (municipality_id, name);

create table sessions (
    id_hash text primary key,
    user_id blob not null references users (id),
    municipality_id blob not null references municipalities (id),
    csrf_token text not null,
    created_at text not null,
    last_seen_at text not null
);
create index sessions_user on sessions (user_id);

create table api_tokens (
    id blob primary key,
    user_id blob not null references users (id),
    municipality_id blob not null references municipalities (id),
    token_hash text not null unique,
    created_at text not null
);

create table login_failures (
    id blob primary key,
    username text not null,
    at text not null
);
create index login_failures_username on login_failures (username, at);

create table children (
    id blob primary key,
    municipality_id blob not null references municipalities (id),
    cpr text,
    first_name text not null,
    last_name text not null,
    search_name text not null,
    birth_date text not null,
    sex text check (sex in ('male', 'female')),
    created_at text not null,
    updated_at text not null,
    unique (municipality_id, cpr)
);
create index children_search_name on children (municipality_id, search_name);

create table case_counters (
    municipality_id blob primary key references municipalities (id),
    next_value integer not null
);

create table child_cases (
    id blob primary key,
    municipality_id blob not null references municipalities (id),
    child_id blob not null unique references children (id),
    case_number text not null,
    caseworker_id blob references users (id),
    team_id blob references teams (id),
    status text not null check (status in ('open', 'closed')),
    opened_at text not null,
    created_at text not null,
    updated_at text not null,
    unique (municipality_id, case_number)
);
create index child_cases_caseworker on child_cases (municipality_id, caseworker_id, status);

create table journal_entries (
    id blob primary key,
    municipality_id blob not null references municipalities (id),
    child_case_id blob not null references child_cases (id),
    kind text not null check (kind in ('manual', 'automatic')),
    title text not null,
    body text not null,
    event_date text not null,
    author_id blob references users (id),
    corrects_id blob references journal_entries (id),
    created_at text not null
);
create index journal_entries_case on journal_entries (child_case_id, event_date, created_at);

create table access_log (
    id blob primary key,
    municipality_id blob not null references municipalities (id),
    user_id blob references users (id),
    person_id blob,
    kind text not null check (kind in ('view', 'api_read', 'search', 'export')),
    detail text not null,
    at text not null
);
create index access_log_at on access_log (municipality_id, at);
create index access_log_person on access_log (municipality_id, person_id, at);

-- Journal and access log are append-only: the second wall after the application.
create trigger journal_entries_no_update before update on journal_entries
begin select raise(abort, 'journal_entries is append-only'); end;
create trigger journal_entries_no_delete before delete on journal_entries
begin select raise(abort, 'journal_entries is append-only'); end;
create trigger access_log_no_update before update on access_log
begin select raise(abort, 'access_log is append-only'); end;
create trigger access_log_no_delete before delete on access_log
begin select raise(abort, 'access_log is append-only'); end;
