-- Whether the municipality's staff may log in with a local password (issue 17): on by default
-- (the demo, break-glass accounts); a municipality that logs its staff in through its own
-- identity provider can turn it off.
alter table municipalities add column local_login boolean not null default true;
