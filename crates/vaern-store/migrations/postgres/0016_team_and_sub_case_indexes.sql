-- Found by the national load benchmark of issue 8 (BENCHMARKS.md): the team lead's page listed
-- a team's open cases by scanning the municipality's cases, and an underretning's 24-hour
-- deadline was looked up by scanning every deadline.
create index child_cases_team on child_cases (municipality_id, team_id, status);
create index deadlines_sub_case on deadlines (sub_case_id, rule_id, due_at);
