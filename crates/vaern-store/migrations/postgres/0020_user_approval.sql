-- Four eyes on case access (issue 17): an administrator cannot read cases, so an account they
-- create with a case-reading role, or raise to one, waits for a second administrator. The
-- request is the role asked for and who asked; approval moves it into role and makes the
-- account active.
alter table users add column pending_role text
    check (pending_role in ('caseworker', 'team_lead', 'finance', 'admin', 'auditor'));
alter table users add column pending_by uuid references users (id);
alter table users add constraint users_pending_complete
    check ((pending_role is null) = (pending_by is null));
