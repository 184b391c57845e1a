-- The case process: sub-cases (delsager) under a child's case, their ordered steps, deadline
-- instances of the statutory rules (vaern-domain::process), and underretninger.

create table sub_cases (
    id blob primary key,
    municipality_id blob not null references municipalities (id),
    child_case_id blob not null references child_cases (id),
    kind text not null,
    title text not null,
    status text not null check (status in ('open', 'closed')),
    opened_at text not null,
    opened_by blob references users (id),
    closed_at text,
    closed_by blob references users (id),
    close_reason text,
    created_at text not null,
    updated_at text not null
);
create index sub_cases_case on sub_cases (child_case_id, opened_at);

create table steps (
    id blob primary key,
    municipality_id blob not null references municipalities (id),
    sub_case_id blob not null references sub_cases (id),
    code text not null,
    position integer not null,
    required integer not null,
    status text not null check (status in ('pending', 'done', 'skipped')),
    note text,
    finished_at text,
    finished_by blob references users (id),
    unique (sub_case_id, code)
);

create table deadlines (
    id blob primary key,
    municipality_id blob not null references municipalities (id),
    child_case_id blob not null references child_cases (id),
    sub_case_id blob not null references sub_cases (id),
    step_id blob references steps (id),
    rule_id text not null,
    trigger_at text not null,
    due_at text not null,
    status text not null check (status in ('open', 'met', 'cancelled')),
    closed_at text,
    created_at text not null
);
create index deadlines_open on deadlines (municipality_id, status, due_at);
create index deadlines_case on deadlines (child_case_id, due_at);

create table notifications (
    id blob primary key,
    municipality_id blob not null references municipalities (id),
    sub_case_id blob not null unique references sub_cases (id),
    received_at text not null,
    channel text not null,
    notifier_kind text not null check (notifier_kind in ('professional', 'private', 'anonymous')),
    notifier_name text,
    notifier_organisation text,
    notifier_contact text,
    concerns text not null,
    body text not null,
    assessed_at text,
    assessed_by blob references users (id),
    risk integer,
    immediate_action integer,
    assessment_reasoning text,
    created_at text not null
);
