-- Measures and their economy: providers and offers with price periods, measures on a child's
-- case, the kompetenceplan's approval threshold, budgets per area and year, mass price updates,
-- and monthly payment runs with their lines.

create table providers (
    id blob primary key,
    municipality_id blob not null references municipalities (id),
    name text not null,
    cvr text,
    kind text not null check (kind in ('foster_family', 'municipal_foster_family',
        'residential_institution', 'residential_home', 'own_room', 'family_treatment',
        'contact_person', 'other')),
    tilbudsportal_id text,
    created_at text not null,
    created_by blob references users (id)
);
create index providers_name on providers (municipality_id, name);

create table offers (
    id blob primary key,
    municipality_id blob not null references municipalities (id),
    provider_id blob not null references providers (id),
    name text not null,
    unit text not null check (unit in ('day', 'week', 'month', 'hour', 'once')),
    created_at text not null,
    created_by blob references users (id)
);
create index offers_provider on offers (municipality_id, provider_id);

create table price_updates (
    id blob primary key,
    municipality_id blob not null references municipalities (id),
    effective_from text not null,
    description text not null,
    -- The update this one undoes, if it is an undo.
    undoes blob references price_updates (id),
    created_at text not null,
    created_by blob references users (id)
);
create index price_updates_created on price_updates (municipality_id, created_at);

create table price_update_offers (
    price_update_id blob not null references price_updates (id),
    municipality_id blob not null references municipalities (id),
    offer_id blob not null references offers (id),
    old_price_ore integer not null,
    new_price_ore integer not null,
    primary key (price_update_id, offer_id)
);

create table price_periods (
    id blob primary key,
    municipality_id blob not null references municipalities (id),
    offer_id blob not null references offers (id),
    valid_from text not null,
    valid_to text,
    price_ore integer not null check (price_ore >= 0),
    price_update_id blob references price_updates (id),
    created_at text not null,
    created_by blob references users (id),
    check (valid_to is null or valid_to >= valid_from)
);
create index price_periods_offer on price_periods (offer_id, valid_from);

create table economy_settings (
    municipality_id blob primary key references municipalities (id),
    -- Above this cost in a measure's first year a team lead approves (kompetenceplan).
    approval_threshold_ore integer check (approval_threshold_ore >= 0),
    updated_at text not null,
    updated_by blob references users (id)
);

create table measures (
    id blob primary key,
    municipality_id blob not null references municipalities (id),
    child_case_id blob not null references child_cases (id),
    offer_id blob not null references offers (id),
    legal_basis text not null,
    measure_group text not null,
    quantity integer not null check (quantity > 0),
    hours_per text not null check (hours_per in ('week', 'month')),
    starts_on text not null,
    ends_on text not null,
    -- The actual last day, once ended; cost and payments stop there.
    ended_on text,
    purpose text not null,
    status text not null check (status in ('planned', 'approved', 'active', 'ended')),
    end_reason text,
    -- The «Indsats og opfølgning» sub-case opened when the measure started.
    sub_case_id blob references sub_cases (id),
    version integer not null,
    created_at text not null,
    created_by blob references users (id),
    approved_at text,
    approved_by blob references users (id),
    started_at text,
    ended_at text,
    check (ends_on >= starts_on)
);
create index measures_case on measures (municipality_id, child_case_id);
create index measures_status on measures (municipality_id, status);
create index measures_offer on measures (offer_id);

create table measure_goals (
    measure_id blob not null references measures (id),
    municipality_id blob not null references municipalities (id),
    goal_key blob not null,
    primary key (measure_id, goal_key)
);

create table budgets (
    municipality_id blob not null references municipalities (id),
    year integer not null,
    measure_group text not null,
    amount_ore integer not null check (amount_ore >= 0),
    updated_at text not null,
    updated_by blob references users (id),
    primary key (municipality_id, year, measure_group)
);

create table payment_runs (
    id blob primary key,
    municipality_id blob not null references municipalities (id),
    -- The month paid for, 'YYYY-MM'.
    period text not null,
    line_count integer not null,
    total_ore integer not null,
    created_at text not null,
    created_by blob references users (id)
);
create index payment_runs_period on payment_runs (municipality_id, period, created_at);

create table payment_lines (
    id blob primary key,
    municipality_id blob not null references municipalities (id),
    payment_run_id blob not null references payment_runs (id),
    measure_id blob not null references measures (id),
    provider_id blob not null references providers (id),
    period text not null,
    -- The measure's n-th line for the period: two runs at once cannot both write the first.
    seq integer not null,
    kind text not null check (kind in ('payment', 'correction')),
    amount_ore integer not null,
    account text not null,
    text text not null,
    created_at text not null,
    unique (measure_id, period, seq)
);
create index payment_lines_run on payment_lines (payment_run_id);
