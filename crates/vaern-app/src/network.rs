//! The child's network (Netværk): listing it (access-logged) and adding a person with their
//! relation to the child, journalled on the case.

use vaern_domain::{
    Capability, FieldErrors,
    dates::format_date,
    network::{NewRelation, NewRelationInput, similar_names},
};
use vaern_store::{
    ChildId,
    access_log::{self, AccessKind},
    children::{self, Child},
    network::{self, Member},
};

use crate::{
    Actor, AppError,
    case_file::{automatic_note, child_case},
    today,
};

/// The child's network; reading it is access-logged for the child.
pub async fn list(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    kind: AccessKind,
) -> Result<(Child, Vec<Member>), AppError> {
    actor.require(Capability::ReadChildren)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let child = children::get(&mut tx, child).await?;
    let members = network::for_child(&mut tx, child.id).await?;
    access_log::record(&mut tx, actor.user_id, Some(child.id), kind, "Netværk").await?;
    tx.commit().await?;
    Ok((child, members))
}

/// The form field a possible duplicate is reported at, and confirmed with.
pub const DUPLICATE_FIELD: &str = "confirm_new";

/// Adds a person to the child's network, with an automatic journal note. A person without CPR
/// whose name sounds like someone born the same day is held back until the caseworker confirms
/// (`confirmed_new`) that it is someone else.
pub async fn add(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    input: &NewRelationInput,
    confirmed_new: bool,
) -> Result<Member, AppError> {
    actor.require(Capability::EditChildren)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let (child, case) = child_case(&mut tx, child).await?;
    let relation =
        NewRelation::parse(input, child.cpr.as_deref(), today()).map_err(AppError::Invalid)?;
    if relation.cpr.is_none()
        && !confirmed_new
        && let Some(birth_date) = relation.birth_date
    {
        let name = format!("{} {}", relation.first_name, relation.last_name);
        let alike: Vec<String> = network::born_on(&mut tx, birth_date)
            .await?
            .iter()
            .filter(|p| similar_names(&name, &format!("{} {}", p.first_name, p.last_name)))
            .map(|p| format!("{} {}", p.first_name, p.last_name))
            .collect();
        if !alike.is_empty() {
            return Err(AppError::Invalid(FieldErrors::single(
                DUPLICATE_FIELD,
                format!(
                    "Kommunen kender allerede {} med samme fødselsdato ({}). Er det en anden \
                     person, så sæt kryds i «Det er en anden person» og tilføj igen",
                    alike.join(" og "),
                    format_date(birth_date)
                ),
            )));
        }
    }
    let member = network::add(&mut tx, child.id, &relation, actor.user_id).await?;
    let mut body = format!(
        "{} tilføjede {} til netværket som {}.",
        actor.name,
        member.full_name(),
        relation.kind.label().to_lowercase()
    );
    if relation.custody {
        body.push_str(" Personen har forældremyndighed.");
    }
    if relation.address.is_empty() {
        body.push_str(" Adressen er ikke oplyst.");
    }
    automatic_note(&mut tx, actor, case, None, "Netværk ændret", &body).await?;
    tx.commit().await?;
    Ok(member)
}
