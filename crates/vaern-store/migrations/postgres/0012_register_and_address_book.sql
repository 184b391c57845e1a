-- The CPR register as last imported (national reference data, not owned by a municipality), the
-- municipality's shared address book of organisations and professionals, the professionals
-- around each child, and the date a network person died (from CPR).

create table cpr_register (
    cpr text primary key,
    first_name text not null,
    last_name text not null,
    status text not null check (status in ('active', 'dead', 'emigrated')),
    status_date date,
    -- The address's municipality code and lines (separated by line breaks); null when unknown.
    municipality_code text,
    address text,
    mother text,
    father text,
    -- Custody holders' CPR numbers separated by commas; empty when none are registered.
    custody text not null,
    updated_at timestamptz not null
);

create table organisations (
    id uuid primary key,
    municipality_id uuid not null references municipalities (id),
    name text not null,
    kind text not null check (kind in ('school', 'daycare', 'health', 'provider', 'other')),
    cvr text,
    p_number text,
    address text not null,
    phone text,
    email text,
    created_at timestamptz not null,
    created_by uuid references users (id)
);
create index organisations_name on organisations (municipality_id, name);

create table professionals (
    id uuid primary key,
    municipality_id uuid not null references municipalities (id),
    organisation_id uuid not null references organisations (id),
    name text not null,
    role text not null check (role in ('teacher', 'daycare', 'health_nurse', 'doctor',
        'psychologist', 'other')),
    phone text,
    email text,
    created_at timestamptz not null,
    created_by uuid references users (id)
);
create index professionals_organisation on professionals (municipality_id, organisation_id);

create table child_professionals (
    id uuid primary key,
    municipality_id uuid not null references municipalities (id),
    child_id uuid not null references children (id),
    professional_id uuid not null references professionals (id),
    created_at timestamptz not null,
    created_by uuid references users (id),
    unique (child_id, professional_id)
);

alter table persons add column died_on date;

alter table organisations enable row level security;
alter table organisations force row level security;
create policy tenant on organisations
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid);
alter table professionals enable row level security;
alter table professionals force row level security;
create policy tenant on professionals
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid);
alter table child_professionals enable row level security;
alter table child_professionals force row level security;
create policy tenant on child_professionals
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid);
