-- The child's network: persons (parents, custody holders, siblings, …) and their relation to the
-- child. A person belongs to the municipality and may relate to several children.

create table persons (
    id blob primary key,
    municipality_id blob not null references municipalities (id),
    cpr text,
    first_name text not null,
    last_name text not null,
    birth_date text,
    -- Address lines separated by line breaks; empty when unknown.
    address text not null,
    phone text,
    email text,
    created_at text not null,
    created_by blob references users (id)
);
create index persons_cpr on persons (municipality_id, cpr);
create index persons_birth_date on persons (municipality_id, birth_date);

create table relations (
    id blob primary key,
    municipality_id blob not null references municipalities (id),
    child_id blob not null references children (id),
    person_id blob not null references persons (id),
    kind text not null check (kind in ('mother', 'father', 'sibling', 'half_sibling', 'household',
        'family', 'network', 'foster_family')),
    custody integer not null,
    created_at text not null,
    created_by blob references users (id),
    unique (child_id, person_id)
);
create index relations_child on relations (child_id);
