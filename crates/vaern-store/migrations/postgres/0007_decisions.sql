-- Decisions (afgørelser) of Decision sub-cases: one per sub-case, final when stored.

create table decisions (
    id uuid primary key,
    municipality_id uuid not null references municipalities (id),
    sub_case_id uuid not null unique references sub_cases (id),
    legal_basis text not null,
    outcome text not null check (outcome in ('grant', 'partial', 'refusal')),
    content text not null,
    reasoning text not null,
    appeal_guidance text,
    decided_at timestamptz not null,
    decided_by uuid references users (id),
    made_known_at timestamptz
);

alter table decisions enable row level security;
alter table decisions force row level security;
create policy tenant on decisions
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid);
