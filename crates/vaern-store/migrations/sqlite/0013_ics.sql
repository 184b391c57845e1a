-- Børnefaglig undersøgelse with the ICS triangle (one investigation per investigation sub-case),
-- the caseworkers' autosaved drafts, sources per dimension, barnets plan in versions with goals,
-- and follow-ups scoring the goals.

create table investigations (
    id blob primary key,
    municipality_id blob not null references municipalities (id),
    child_case_id blob not null references child_cases (id),
    sub_case_id blob not null unique references sub_cases (id),
    preliminary text,
    preliminary_at text,
    preliminary_by blob references users (id),
    assessment text,
    position text check (position in ('support', 'placement_with_consent',
        'placement_without_consent', 'no_measure')),
    reasoning text,
    concluded_at text,
    concluded_by blob references users (id),
    created_at text not null
);

create table investigation_dimensions (
    investigation_id blob not null references investigations (id),
    municipality_id blob not null references municipalities (id),
    dimension text not null,
    description text,
    resources text,
    concerns text,
    child_view text,
    parents_view text,
    -- Optimistic locking: a save names the version it started from.
    version integer not null,
    updated_at text not null,
    updated_by blob references users (id),
    primary key (investigation_id, dimension)
);

create table investigation_drafts (
    investigation_id blob not null references investigations (id),
    municipality_id blob not null references municipalities (id),
    dimension text not null,
    user_id blob not null references users (id),
    -- The dimension's five texts as JSON, exactly as typed.
    fields text not null,
    base_version integer not null,
    saved_at text not null,
    primary key (investigation_id, dimension, user_id)
);

create table investigation_sources (
    id blob primary key,
    municipality_id blob not null references municipalities (id),
    investigation_id blob not null references investigations (id),
    dimension text not null,
    who text not null,
    said_on text not null,
    link_kind text check (link_kind in ('journal_entry', 'document', 'person')),
    link_id blob,
    created_at text not null,
    created_by blob references users (id)
);
create index investigation_sources_dimension on investigation_sources (investigation_id, dimension);

create table plans (
    id blob primary key,
    municipality_id blob not null references municipalities (id),
    child_case_id blob not null references child_cases (id),
    version integer not null,
    status text not null check (status in ('draft', 'approved')),
    investigation_id blob references investigations (id),
    created_at text not null,
    created_by blob references users (id),
    approved_at text,
    approved_by blob references users (id),
    unique (child_case_id, version)
);

create table plan_goals (
    id blob primary key,
    municipality_id blob not null references municipalities (id),
    plan_id blob not null references plans (id),
    -- The same goal across plan versions, so its progress can be followed.
    goal_key blob not null,
    position integer not null,
    dimension text not null,
    wording text not null,
    measures text,
    target_date text not null
);
create index plan_goals_plan on plan_goals (plan_id, position);

create table follow_ups (
    id blob primary key,
    municipality_id blob not null references municipalities (id),
    child_case_id blob not null references child_cases (id),
    plan_id blob not null references plans (id),
    held_on text not null,
    child_view text,
    parents_view text,
    decision text not null check (decision in ('continue', 'adjust', 'stop')),
    next_date text not null,
    next_reason text not null,
    created_at text not null,
    created_by blob references users (id)
);
create index follow_ups_case on follow_ups (child_case_id, held_on);

create table follow_up_scores (
    follow_up_id blob not null references follow_ups (id),
    municipality_id blob not null references municipalities (id),
    goal_key blob not null,
    score integer not null check (score between 1 and 5),
    primary key (follow_up_id, goal_key)
);
