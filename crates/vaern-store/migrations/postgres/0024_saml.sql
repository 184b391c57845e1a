-- SAML single sign-on (issue 17). A login under way is its AuthnRequest's ID, kept until the
-- identity provider answers (the answer arrives as a cross-site POST, which carries none of
-- Værn's SameSite cookies); an assertion's ID is kept until it expires, so each is used once.
create table saml_requests (
    id text primary key,
    municipality_code text not null,
    next_path text not null,
    expires_at timestamptz not null
);
create index saml_requests_expiry on saml_requests (expires_at);

create table saml_assertions (
    id text primary key,
    expires_at timestamptz not null
);
create index saml_assertions_expiry on saml_assertions (expires_at);
