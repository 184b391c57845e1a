-- Documents on a child's case with every version kept, and each municipality's letter templates
-- (every saved edit is a new version). Versions and template edits are never changed or deleted.

create table documents (
    id blob primary key,
    municipality_id blob not null references municipalities (id),
    child_case_id blob not null references child_cases (id),
    sub_case_id blob references sub_cases (id),
    title text not null,
    kind text not null check (kind in ('incoming', 'outgoing', 'internal', 'decision', 'statement')),
    document_date text not null,
    confidential integer not null,
    shareable_with_siblings integer not null,
    latest_version integer not null,
    created_at text not null,
    created_by blob references users (id)
);
create index documents_case on documents (child_case_id, document_date);

create table document_versions (
    id blob primary key,
    municipality_id blob not null references municipalities (id),
    document_id blob not null references documents (id),
    version integer not null,
    content_hash text not null,
    size_bytes integer not null,
    media_type text not null,
    file_name text not null,
    letter_data text,
    created_at text not null,
    created_by blob references users (id),
    unique (document_id, version)
);
create index document_versions_hash on document_versions (content_hash);

create table letter_templates (
    id blob primary key,
    municipality_id blob not null references municipalities (id),
    template_key text not null,
    version integer not null,
    title text not null,
    body text not null,
    created_at text not null,
    created_by blob references users (id),
    unique (municipality_id, template_key, version)
);

create trigger document_versions_no_update before update on document_versions
begin select raise(abort, 'document_versions is append-only'); end;
create trigger document_versions_no_delete before delete on document_versions
begin select raise(abort, 'document_versions is append-only'); end;
create trigger letter_templates_no_update before update on letter_templates
begin select raise(abort, 'letter_templates is append-only'); end;
create trigger letter_templates_no_delete before delete on letter_templates
begin select raise(abort, 'letter_templates is append-only'); end;
