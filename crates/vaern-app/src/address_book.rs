//! The municipality's shared address book, and the professionals around a child. Organisations
//! and professionals are entered once by any caseworker and linked to every child they know.

use serde::Deserialize;
use vaern_domain::{
    Capability, FieldErrors,
    address_book::{
        NewOrganisation, NewOrganisationInput, NewProfessional, NewProfessionalInput,
        ProfessionalRole,
    },
};
use vaern_store::{
    ChildId, OrganisationId, ProfessionalId, StoreError, TenantTx,
    address_book::{self, Organisation, Professional},
};

use crate::{
    Actor, AppError,
    case_file::{automatic_note, child_case},
};

/// The address book: organisations and their professionals.
pub async fn list(
    db: &vaern_store::Db,
    actor: &Actor,
) -> Result<(Vec<Organisation>, Vec<Professional>), AppError> {
    actor.require(Capability::ReadChildren)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let organisations = address_book::organisations(&mut tx).await?;
    let professionals = address_book::professionals(&mut tx).await?;
    tx.commit().await?;
    Ok((organisations, professionals))
}

/// Adds an organisation to the address book.
pub async fn add_organisation(
    db: &vaern_store::Db,
    actor: &Actor,
    input: &NewOrganisationInput,
) -> Result<Organisation, AppError> {
    actor.require(Capability::EditChildren)?;
    let organisation = NewOrganisation::parse(input).map_err(AppError::Invalid)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let stored = address_book::add_organisation(&mut tx, &organisation, actor.user_id).await?;
    tx.commit().await?;
    Ok(stored)
}

/// A professional for a child: one from the address book, or a new one at an organisation.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ChildProfessionalInput {
    /// An existing professional's id; when empty, a new one is made from the fields below.
    pub professional_id: String,
    pub organisation_id: String,
    #[serde(flatten)]
    pub new: NewProfessionalInput,
}

/// Links a professional to the child — creating them in the address book first when new — with
/// an automatic journal note, in one transaction.
pub async fn add_to_child(
    db: &vaern_store::Db,
    actor: &Actor,
    child: ChildId,
    input: &ChildProfessionalInput,
) -> Result<Professional, AppError> {
    actor.require(Capability::EditChildren)?;
    let mut tx = db.tenant(actor.municipality_id).await?;
    let (child, case) = child_case(&mut tx, child).await?;
    let professional = match input.professional_id.trim() {
        "" => create_professional(&mut tx, actor, input).await?,
        id => {
            let id: ProfessionalId = id.parse().map_err(|_| unknown_professional())?;
            address_book::professional_by_id(&mut tx, id)
                .await
                .map_err(|e| match e {
                    StoreError::NotFound => unknown_professional(),
                    other => other.into(),
                })?
        }
    };
    if !address_book::link(&mut tx, child.id, professional.id, actor.user_id).await? {
        return Err(AppError::Invalid(FieldErrors::single(
            "professional_id",
            format!("{} er allerede tilknyttet barnet", professional.name),
        )));
    }
    let body = format!(
        "{} tilknyttede {} ({}, {}) som fagperson omkring barnet.",
        actor.name,
        professional.name,
        ProfessionalRole::label_of(&professional.role).to_lowercase(),
        professional.organisation_name
    );
    automatic_note(&mut tx, actor, case, None, "Netværk ændret", &body).await?;
    tx.commit().await?;
    Ok(professional)
}

fn unknown_professional() -> AppError {
    AppError::Invalid(FieldErrors::single(
        "professional_id",
        "Vælg en fagperson fra adressebogen",
    ))
}

async fn create_professional(
    tx: &mut TenantTx,
    actor: &Actor,
    input: &ChildProfessionalInput,
) -> Result<Professional, AppError> {
    let (professional, mut errors) = match NewProfessional::parse(&input.new) {
        Ok(professional) => (Some(professional), FieldErrors::new()),
        Err(errors) => (None, errors),
    };
    let organisation: Option<OrganisationId> = match input.organisation_id.trim() {
        "" => {
            errors.add(
                "organisation_id",
                "Vælg fagpersonens organisation, eller vælg en fagperson fra adressebogen",
            );
            None
        }
        id => id.parse().ok().or_else(|| {
            errors.add("organisation_id", "Vælg en organisation fra adressebogen");
            None
        }),
    };
    let (Some(organisation), Some(professional)) = (organisation, professional) else {
        return Err(AppError::Invalid(errors));
    };
    address_book::add_professional(tx, organisation, &professional, actor.user_id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => AppError::Invalid(FieldErrors::single(
                "organisation_id",
                "Vælg en organisation fra adressebogen",
            )),
            other => other.into(),
        })
}
