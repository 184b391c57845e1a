-- Barnets lov done right (issue 16): what started each deadline's clock, in the caseworker's
-- words ("Underretning modtaget 12.11.2026 10:00"), and for a decision who made it and how it
-- was made known. `made_known_at` keeps meaning the moment the decision counts as received,
-- which starts the appeal deadline (retssikkerhedslovens § 67); `sent_at` is when it was sent.

alter table deadlines add column started_by text;

alter table decisions add column decided_by_body text not null default 'administration'
    check (decided_by_body in ('administration', 'committee'));
alter table decisions add column made_known_channel text
    check (made_known_channel in ('digital_post', 'letter', 'in_person'));
alter table decisions add column sent_at timestamptz;
