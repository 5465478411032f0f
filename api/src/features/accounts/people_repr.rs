//! How a person is written to the change log (the same shape the API shows staff).
use sea_orm::ConnectionTrait;

use crate::{
    error::AppResult, features::accounts::dto::people::Person, platform::change_log as changes,
    platform::change_log::Change, platform::change_log::Operation,
};
use entity::{person, sets::RecordKind};

pub async fn log_person(db: &impl ConnectionTrait, model: &person::Model) -> AppResult<()> {
    changes::append(
        db,
        Change {
            affiliate_id: model.affiliate_id,
            kind: RecordKind::Person,
            record_id: model.id,
            external_id: None,
            version: model.version,
            operation: Operation::Upsert,
            representation: serde_json::to_value(Person::from(model.clone())).ok(),
        },
    )
    .await?;
    Ok(())
}
