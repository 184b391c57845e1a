-- Foundation schema: municipalities, teams, users, sessions, tokens, children, child cases,
-- journal and access log. Must describe the same schema as migrations/sqlite/0001_foundation.sql
-- (a test compares them). Row-level security is set up in 0002.

create table municipalities (
    id uuid primary key,
    code text not null unique,
    name text not null,
    created_at timestamptz not null
);

create table teams (
    id uuid primary key,
    municipality_id uuid not null references municipalities (id),
    name text not null,
    created_at timestamptz not null,
    unique (municipality_id, name)
);

create table users (
    id uuid primary key,
    municipality_id uuid not null references municipalities (id),
    team_id uuid references teams (id),
    username text not null unique,
    name text not null,
    role text not null check (role in ('caseworker', 'team_lead', 'finance', 'admin', 'auditor')),
    password_hash text not null,
    active boolean not null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index users_municipality on users (municipality_id, name);

create table sessions (
    id_hash text primary key,
    user_id uuid not null references users (id),
    municipality_id uuid not null references municipalities (id),
    csrf_token text not null,
    created_at timestamptz not null,
    last_seen_at timestamptz not null
);
create index sessions_user on sessions (user_id);

create table api_tokens (
    id uuid primary key,
    user_id uuid not null references users (id),
    municipality_id uuid not null references municipalities (id),
    token_hash text not null unique,
    created_at timestamptz not null
);

create table login_failures (
    id uuid primary key,
    username text not null,
    at timestamptz not null
);
create index login_failures_username on login_failures (username, at);

create table children (
    id uuid primary key,
    municipality_id uuid not null references municipalities (id),
    cpr text,
    first_name text not null,
    last_name text not null,
    search_name text not null,
    birth_date date not null,
    sex text check (sex in ('male', 'female')),
    created_at timestamptz not null,
    updated_at timestamptz not null,
    unique (municipality_id, cpr)
);
create index children_search_name on children (municipality_id, search_name);

create table case_counters (
    municipality_id uuid primary key references municipalities (id),
    next_value bigint not null
);

create table child_cases (
    id uuid primary key,
    municipality_id uuid not null references municipalities (id),
    child_id uuid not null unique references children (id),
    case_number text not null,
    caseworker_id uuid references users (id),
    team_id uuid references teams (id),
    status text not null check (status in ('open', 'closed')),
    opened_at timestamptz not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    unique (municipality_id, case_number)
);
create index child_cases_caseworker on child_cases (municipality_id, caseworker_id, status);

create table journal_entries (
    id uuid primary key,
    municipality_id uuid not null references municipalities (id),
    child_case_id uuid not null references child_cases (id),
    kind text not null check (kind in ('manual', 'automatic')),
    title text not null,
    body text not null,
    event_date date not null,
    author_id uuid references users (id),
    corrects_id uuid references journal_entries (id),
    created_at timestamptz not null
);
create index journal_entries_case on journal_entries (child_case_id, event_date, created_at);

create table access_log (
    id uuid primary key,
    municipality_id uuid not null references municipalities (id),
    user_id uuid references users (id),
    person_id uuid,
    kind text not null check (kind in ('view', 'api_read', 'search', 'export')),
    detail text not null,
    at timestamptz not null
);
create index access_log_at on access_log (municipality_id, at);
create index access_log_person on access_log (municipality_id, person_id, at);

-- Journal and access log are append-only: the third wall after the application and the grants.
create function refuse_change() returns trigger language plpgsql as $$
begin
    raise exception '% is append-only', tg_table_name;
end $$;
create trigger journal_entries_append_only before update or delete on journal_entries
    for each row execute function refuse_change();
create trigger access_log_append_only before update or delete on access_log
    for each row execute function refuse_change();
