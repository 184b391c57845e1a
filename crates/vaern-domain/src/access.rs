//! Roles and capabilities. Deny by default: a role holds exactly the capabilities listed in
//! [`Role::capabilities`]; anything not listed is refused. Need-to-know (DOMAIN.md §9): finance
//! and administrators do not read children's cases; the auditor reads but never writes.

use serde::{Deserialize, Serialize};

/// What a user is employed as in the municipality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Rådgiver / sagsbehandler.
    Caseworker,
    /// Teamleder / familiechef.
    TeamLead,
    /// Økonomimedarbejder.
    Finance,
    /// Kommunal administrator.
    Admin,
    /// Revisor / tilsyn: reads, never writes.
    Auditor,
}

/// A thing a route or use case needs. Each route declares one (see vaern-web's route table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// Search children and read a child's page and journal.
    ReadChildren,
    /// Create children and open or assign their cases.
    EditChildren,
    /// Write journal notes and corrections.
    WriteJournal,
    /// Create, deactivate and change users and teams of the own municipality.
    ManageUsers,
    /// Read and filter the access log.
    ReadAccessLog,
    /// Export the access log.
    ExportAccessLog,
    /// See the team's cases and deadline escalations, and move cases between caseworkers.
    LeadTeam,
    /// Set the municipality's closed days and local deadline standards.
    ManageMunicipality,
    /// Read providers, offers and prices (the catalogue measures are chosen from).
    ReadOffers,
    /// Read the economy overview and budgets (aggregates, no child's name).
    ReadEconomy,
    /// Maintain providers, offers and prices, update prices, run payments, set budgets and the
    /// kompetenceplan's threshold.
    ManageEconomy,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Caseworker,
        Role::TeamLead,
        Role::Finance,
        Role::Admin,
        Role::Auditor,
    ];

    /// The capabilities this role holds; everything else is denied.
    pub fn capabilities(self) -> &'static [Capability] {
        use Capability::*;
        match self {
            Role::Caseworker => &[ReadChildren, EditChildren, WriteJournal, ReadOffers],
            Role::TeamLead => &[
                ReadChildren,
                EditChildren,
                WriteJournal,
                LeadTeam,
                ReadOffers,
                ReadEconomy,
            ],
            Role::Finance => &[ReadOffers, ReadEconomy, ManageEconomy],
            Role::Admin => &[
                ManageUsers,
                ManageMunicipality,
                ReadAccessLog,
                ExportAccessLog,
            ],
            Role::Auditor => &[
                ReadChildren,
                ReadAccessLog,
                ExportAccessLog,
                ReadOffers,
                ReadEconomy,
            ],
        }
    }

    /// Whether the role holds `capability`.
    pub fn can(self, capability: Capability) -> bool {
        self.capabilities().contains(&capability)
    }

    /// Whether the role reads children's cases: the access an administrator, who reads none,
    /// may not give an account alone.
    pub fn reads_cases(self) -> bool {
        self.can(Capability::ReadChildren)
    }

    /// The stored and CLI code (`caseworker`, `team_lead`, …).
    pub fn code(self) -> &'static str {
        match self {
            Role::Caseworker => "caseworker",
            Role::TeamLead => "team_lead",
            Role::Finance => "finance",
            Role::Admin => "admin",
            Role::Auditor => "auditor",
        }
    }

    /// Parses the code; the error is Danish and lists the codes.
    pub fn parse(code: &str) -> Result<Self, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.code() == code.trim())
            .ok_or_else(|| {
                format!(
                    "Ukendt rolle «{code}». Vælg en af: {}",
                    Role::ALL.map(Role::code).join(", ")
                )
            })
    }

    /// The Danish name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Role::Caseworker => "Rådgiver",
            Role::TeamLead => "Teamleder",
            Role::Finance => "Økonomimedarbejder",
            Role::Admin => "Administrator",
            Role::Auditor => "Revisor (kun læseadgang)",
        }
    }
}

/// An account's access as far as four eyes care: its role and whether it may log in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access {
    pub role: Role,
    pub active: bool,
}

impl Access {
    fn reads_cases(self) -> bool {
        self.active && self.role.reads_cases()
    }
}

/// Whether an administrator's change from `before` (`None`: a new account) to `after` needs a
/// second administrator's approval: it gives case access the account did not have. Separation
/// of duties (issue 17): otherwise an administrator could make a caseworker account with a
/// password they know and read every child's case through it.
pub fn needs_second_administrator(before: Option<Access>, after: Access) -> bool {
    after.reads_cases() && !before.is_some_and(Access::reads_cases)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn giving_case_access_an_account_lacked_needs_a_second_administrator() {
        let on = |role| Access { role, active: true };
        let off = |role| Access {
            role,
            active: false,
        };
        // (before, after, needs approval)
        let table = [
            (None, on(Role::Caseworker), true),
            (None, on(Role::TeamLead), true),
            (None, on(Role::Auditor), true),
            (None, on(Role::Finance), false),
            (None, on(Role::Admin), false),
            (Some(on(Role::Finance)), on(Role::Caseworker), true),
            (Some(on(Role::Admin)), on(Role::Auditor), true),
            (Some(off(Role::Caseworker)), on(Role::Caseworker), true),
            (Some(on(Role::Caseworker)), on(Role::TeamLead), false),
            (Some(on(Role::TeamLead)), on(Role::Caseworker), false),
            (Some(on(Role::Caseworker)), off(Role::Caseworker), false),
            (Some(on(Role::Caseworker)), on(Role::Finance), false),
            (Some(off(Role::Finance)), off(Role::Caseworker), false),
        ];
        for (before, after, expected) in table {
            assert_eq!(
                needs_second_administrator(before, after),
                expected,
                "{before:?} → {after:?}"
            );
        }
    }

    #[test]
    fn a_caseworker_cannot_read_the_access_log_or_manage_users() {
        assert!(!Role::Caseworker.can(Capability::ReadAccessLog));
        assert!(!Role::Caseworker.can(Capability::ManageUsers));
    }

    #[test]
    fn only_team_leads_move_cases_between_caseworkers() {
        assert!(Role::TeamLead.can(Capability::LeadTeam));
        assert!(
            Role::ALL
                .iter()
                .filter(|r| r.can(Capability::LeadTeam))
                .count()
                == 1
        );
    }

    #[test]
    fn the_auditor_reads_but_never_writes() {
        assert!(Role::Auditor.can(Capability::ReadChildren));
        assert!(!Role::Auditor.can(Capability::WriteJournal));
        assert!(!Role::Auditor.can(Capability::EditChildren));
    }

    #[test]
    fn administrators_and_finance_do_not_read_childrens_cases() {
        assert!(!Role::Admin.can(Capability::ReadChildren));
        assert!(!Role::Finance.can(Capability::ReadChildren));
    }

    #[test]
    fn only_finance_manages_the_economy_and_caseworkers_see_no_aggregates() {
        assert!(Role::Finance.can(Capability::ManageEconomy));
        assert!(
            Role::ALL
                .iter()
                .all(|r| *r == Role::Finance || !r.can(Capability::ManageEconomy))
        );
        assert!(!Role::Caseworker.can(Capability::ReadEconomy));
        assert!(Role::Caseworker.can(Capability::ReadOffers));
    }

    #[test]
    fn every_role_code_round_trips() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.code()), Ok(role));
        }
        assert!(Role::parse("superuser").is_err());
    }
}
