-- A municipality's working-day calendar (which customary days it keeps closed, plus its own
-- closed days) and its local deadline standards (retssikkerhedslovens § 3, stk. 2).

create table municipality_calendars (
    municipality_id blob primary key references municipalities (id),
    grundlovsdag integer not null,
    juleaftensdag integer not null,
    nytaarsaftensdag integer not null,
    updated_at text not null
);

create table closed_days (
    id blob primary key,
    municipality_id blob not null references municipalities (id),
    day text not null,
    reason text not null,
    created_at text not null,
    unique (municipality_id, day)
);

create table local_deadline_rules (
    id blob primary key,
    municipality_id blob not null references municipalities (id),
    rule_id text not null,
    unit text not null check (unit in ('hours', 'working_days', 'calendar_days', 'weeks', 'months')),
    amount integer not null,
    description text not null,
    updated_at text not null,
    unique (municipality_id, rule_id)
);
