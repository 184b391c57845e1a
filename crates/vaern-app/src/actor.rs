//! Who is acting: the authenticated user, their role and municipality.

use vaern_domain::{Capability, Role};
use vaern_store::{MunicipalityId, UserId, users::User};

use crate::AppError;

/// The user behind a request, CLI command or job.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: UserId,
    pub name: String,
    pub username: String,
    pub role: Role,
    pub municipality_id: MunicipalityId,
    pub municipality_code: String,
    pub municipality_name: String,
}

impl Actor {
    /// Builds the actor for a user of a municipality.
    pub fn new(user: &User, municipality_code: &str, municipality_name: &str) -> Actor {
        Actor {
            user_id: user.id,
            name: user.name.clone(),
            username: user.username.clone(),
            role: user.role,
            municipality_id: user.municipality_id,
            municipality_code: municipality_code.to_owned(),
            municipality_name: municipality_name.to_owned(),
        }
    }

    /// Refuses unless the actor's role holds `capability`.
    pub fn require(&self, capability: Capability) -> Result<(), AppError> {
        if self.role.can(capability) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Whether the actor's role holds `capability` (for showing or hiding actions).
    pub fn can(&self, capability: Capability) -> bool {
        self.role.can(capability)
    }
}
