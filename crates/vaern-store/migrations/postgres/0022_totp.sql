-- A second factor for local administrator accounts (issue 17): the TOTP secret (RFC 6238) and
-- the last step a code was accepted for, so a code is used once. Both empty until the
-- administrator enrols an authenticator app at their next login.
alter table users add column totp_secret text;
alter table users add column totp_last_step bigint;
