-- A municipality's working-day calendar (which customary days it keeps closed, plus its own
-- closed days) and its local deadline standards (retssikkerhedslovens § 3, stk. 2).

create table municipality_calendars (
    municipality_id uuid primary key references municipalities (id),
    grundlovsdag boolean not null,
    juleaftensdag boolean not null,
    nytaarsaftensdag boolean not null,
    updated_at timestamptz not null
);

create table closed_days (
    id uuid primary key,
    municipality_id uuid not null references municipalities (id),
    day date not null,
    reason text not null,
    created_at timestamptz not null,
    unique (municipality_id, day)
);

create table local_deadline_rules (
    id uuid primary key,
    municipality_id uuid not null references municipalities (id),
    rule_id text not null,
    unit text not null check (unit in ('hours', 'working_days', 'calendar_days', 'weeks', 'months')),
    amount integer not null,
    description text not null,
    updated_at timestamptz not null,
    unique (municipality_id, rule_id)
);

alter table municipality_calendars enable row level security;
alter table municipality_calendars force row level security;
create policy tenant on municipality_calendars
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid);

alter table closed_days enable row level security;
alter table closed_days force row level security;
create policy tenant on closed_days
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid);

alter table local_deadline_rules enable row level security;
alter table local_deadline_rules force row level security;
create policy tenant on local_deadline_rules
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid);
