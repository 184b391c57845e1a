-- The login throttle (issue 17): one row per key — an account, a client address, or the pair of
-- both — claimed and counted in the same transaction as the check, so guesses sent in parallel
-- cannot all pass it. The delay grows per key instead of locking an account for everyone.
drop table login_failures;

create table login_throttle (
    key text primary key,
    failures integer not null,
    last_failure_at text not null,
    blocked_until text
);
create index login_throttle_last_failure on login_throttle (last_failure_at);
