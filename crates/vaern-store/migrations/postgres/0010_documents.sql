-- Documents on a child's case with every version kept, and each municipality's letter templates
-- (every saved edit is a new version). Versions and template edits are never changed or deleted.

create table documents (
    id uuid primary key,
    municipality_id uuid not null references municipalities (id),
    child_case_id uuid not null references child_cases (id),
    sub_case_id uuid references sub_cases (id),
    title text not null,
    kind text not null check (kind in ('incoming', 'outgoing', 'internal', 'decision', 'statement')),
    document_date date not null,
    confidential boolean not null,
    shareable_with_siblings boolean not null,
    latest_version integer not null,
    created_at timestamptz not null,
    created_by uuid references users (id)
);
create index documents_case on documents (child_case_id, document_date);

create table document_versions (
    id uuid primary key,
    municipality_id uuid not null references municipalities (id),
    document_id uuid not null references documents (id),
    version integer not null,
    content_hash text not null,
    size_bytes bigint not null,
    media_type text not null,
    file_name text not null,
    letter_data text,
    created_at timestamptz not null,
    created_by uuid references users (id),
    unique (document_id, version)
);
create index document_versions_hash on document_versions (content_hash);

create table letter_templates (
    id uuid primary key,
    municipality_id uuid not null references municipalities (id),
    template_key text not null,
    version integer not null,
    title text not null,
    body text not null,
    created_at timestamptz not null,
    created_by uuid references users (id),
    unique (municipality_id, template_key, version)
);

create trigger document_versions_append_only before update or delete on document_versions
    for each row execute function refuse_change();
create trigger letter_templates_append_only before update or delete on letter_templates
    for each row execute function refuse_change();

alter table documents enable row level security;
alter table documents force row level security;
create policy tenant on documents
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid);
alter table document_versions enable row level security;
alter table document_versions force row level security;
create policy tenant on document_versions
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid);
alter table letter_templates enable row level security;
alter table letter_templates force row level security;
create policy tenant on letter_templates
    using (municipality_id = nullif(current_setting('app.municipality', true), '')::uuid);
