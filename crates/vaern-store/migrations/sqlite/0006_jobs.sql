-- Background jobs with leases (only one instance runs a job at a time), and the escalation
-- mark on deadlines (each overdue deadline is escalated once).

create table jobs (
    name text primary key,
    lease_owner text,
    lease_until text,
    last_run_at text,
    last_result text
);

alter table deadlines add column escalated_at text;
