-- Decisions (afgørelser) of Decision sub-cases: one per sub-case, final when stored.

create table decisions (
    id blob primary key,
    municipality_id blob not null references municipalities (id),
    sub_case_id blob not null unique references sub_cases (id),
    legal_basis text not null,
    outcome text not null check (outcome in ('grant', 'partial', 'refusal')),
    content text not null,
    reasoning text not null,
    appeal_guidance text,
    decided_at text not null,
    decided_by blob references users (id),
    made_known_at text
);
