-- An Afklaring starts from an underretning, a henvendelse or an ansøgning.
alter table notifications add column intake text not null default 'underretning';
