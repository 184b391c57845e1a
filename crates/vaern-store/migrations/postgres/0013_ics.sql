-- Børnefaglig undersøgelse with the ICS triangle (one investigation per investigation sub-case),
-- the caseworkers' autosaved drafts, sources per dimension, barnets plan in versions with goals,
-- and follow-ups scoring the goals.

create table investigations (
    id uuid primary key,
    municipality_id uuid not null references municipalities (id),
    child_case_id uuid not null references child_cases (id),
    sub_case_id uuid not null unique references sub_cases (id),
    preliminary text,
    preliminary_at timestamptz,
    preliminary_by uuid references users (id),
    assessment text,
    position text check (position in ('support', 'placement_with_consent',
        'placement_without_consent', 'no_measure')),
    reasoning text,
    concluded_at timestamptz,
    concluded_by uuid references users (id),
    created_at timestamptz not null
);

create table investigation_dimensions (
    investigation_id uuid not null references investigations (id),
    municipality_id uuid not null references municipalities (id),
    dimension text not null,
    description text,
    resources text,
    concerns text,
    child_view text,
    parents_view text,
    -- Optimistic locking: a save names the version it started from.
    version integer not null,
    updated_at timestamptz not null,
    updated_by uuid references users (id),
    primary key (investigation_id, dimension)
);

create table investigation_drafts (
    investigation_id uuid not null references investigations (id),
    municipality_id uuid not null references municipalities (id),
    dimension text not null,
    user_id uuid not null references users (id),
    -- The dimension's five texts as JSON, exactly as typed.
    fields text not null,
    base_version integer not null,
    saved_at timestamptz not null,
    primary key (investigation_id, dimension, user_id)
);

create table investigation_sources (
    id uuid primary key,
    municipality_id uuid not null references municipalities (id),
    investigation_id uuid not null references investigations (id),
    dimension text not null,
    who text not null,
    said_on date not null,
    link_kind text check (link_kind in ('journal_entry', 'document', 'person')),
    link_id uuid,
    created_at timestamptz not null,
    created_by uuid references users (id)
);
create index investigation_sources_dimension on investigation_sources (investigation_id, dimension);

create table plans (
    id uuid primary key,
    municipality_id uuid not null references municipalities (id),
    child_case_id uuid not null references child_cases (id),
    version integer not null,
    status text not null check (status in ('draft', 'approved')),
    investigation_id uuid references investigations (id),
    created_at timestamptz not null,
    created_by uuid references users (id),
    approved_at timestamptz,
    approved_by uuid references users (id),
    unique (child_case_id, version)
);

create table plan_goals (
    id uuid primary key,
    municipality_id uuid not null references municipalities (id),
    plan_id uuid not null references plans (id),
    -- The same goal across plan versions, so its progress can be followed.
    goal_key uuid not null,
    position integer not null,
    dimension text not null,
    wording text not null,
    measures text,
    target_date date not null
);
create index plan_goals_plan on plan_goals (plan_id, position);

create table follow_ups (
    id uuid primary key,
    municipality_id uuid not null references municipalities (id),
    child_case_id uuid not null references child_cases (id),
    plan_id uuid not null references plans (id),
    held_on date not null,
    child_view text,
    parents_view text,
    decision text not null check (decision in ('continue', 'adjust', 'stop')),
    next_date date not null,
    next_reason text not null,
    created_at timestamptz not null,
    created_by uuid references users (id)
);
create index follow_ups_case on follow_ups (child_case_id, held_on);

create table follow_up_scores (
    follow_up_id uuid not null references follow_ups (id),
    municipality_id uuid not null references municipalities (id),
    goal_key uuid not null,
    score integer not null check (score between 1 and 5),
    primary key (follow_up_id, goal_key)
);

alter table investigations enable row level security;
alter table investigations force row level security;
create policy tenant on investigations
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid);
alter table investigation_dimensions enable row level security;
alter table investigation_dimensions force row level security;
create policy tenant on investigation_dimensions
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid);
alter table investigation_drafts enable row level security;
alter table investigation_drafts force row level security;
create policy tenant on investigation_drafts
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid);
alter table investigation_sources enable row level security;
alter table investigation_sources force row level security;
create policy tenant on investigation_sources
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid);
alter table plans enable row level security;
alter table plans force row level security;
create policy tenant on plans
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid);
alter table plan_goals enable row level security;
alter table plan_goals force row level security;
create policy tenant on plan_goals
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid);
alter table follow_ups enable row level security;
alter table follow_ups force row level security;
create policy tenant on follow_ups
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid);
alter table follow_up_scores enable row level security;
alter table follow_up_scores force row level security;
create policy tenant on follow_up_scores
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid);
