-- The case process: sub-cases (delsager) under a child's case, their ordered steps, deadline
-- instances of the statutory rules (vaern-domain::process), and underretninger.

create table sub_cases (
    id uuid primary key,
    municipality_id uuid not null references municipalities (id),
    child_case_id uuid not null references child_cases (id),
    kind text not null,
    title text not null,
    status text not null check (status in ('open', 'closed')),
    opened_at timestamptz not null,
    opened_by uuid references users (id),
    closed_at timestamptz,
    closed_by uuid references users (id),
    close_reason text,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index sub_cases_case on sub_cases (child_case_id, opened_at);

create table steps (
    id uuid primary key,
    municipality_id uuid not null references municipalities (id),
    sub_case_id uuid not null references sub_cases (id),
    code text not null,
    position integer not null,
    required boolean not null,
    status text not null check (status in ('pending', 'done', 'skipped')),
    note text,
    finished_at timestamptz,
    finished_by uuid references users (id),
    unique (sub_case_id, code)
);

create table deadlines (
    id uuid primary key,
    municipality_id uuid not null references municipalities (id),
    child_case_id uuid not null references child_cases (id),
    sub_case_id uuid not null references sub_cases (id),
    step_id uuid references steps (id),
    rule_id text not null,
    trigger_at timestamptz not null,
    due_at timestamptz not null,
    status text not null check (status in ('open', 'met', 'cancelled')),
    closed_at timestamptz,
    created_at timestamptz not null
);
create index deadlines_open on deadlines (municipality_id, status, due_at);
create index deadlines_case on deadlines (child_case_id, due_at);

create table notifications (
    id uuid primary key,
    municipality_id uuid not null references municipalities (id),
    sub_case_id uuid not null unique references sub_cases (id),
    received_at timestamptz not null,
    channel text not null,
    notifier_kind text not null check (notifier_kind in ('professional', 'private', 'anonymous')),
    notifier_name text,
    notifier_organisation text,
    notifier_contact text,
    concerns text not null,
    body text not null,
    assessed_at timestamptz,
    assessed_by uuid references users (id),
    risk boolean,
    immediate_action boolean,
    assessment_reasoning text,
    created_at timestamptz not null
);

alter table sub_cases enable row level security;
alter table sub_cases force row level security;
create policy tenant on sub_cases
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid);

alter table steps enable row level security;
alter table steps force row level security;
create policy tenant on steps
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid);

alter table deadlines enable row level security;
alter table deadlines force row level security;
create policy tenant on deadlines
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid);

alter table notifications enable row level security;
alter table notifications force row level security;
create policy tenant on notifications
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid);
