//! Where each account came from (`registration`, `staff`, `sync`, `import`), so that
//! partner sync and imports update only the accounts they created. Existing accounts
//! that a partner linked and that never set a password count as synced.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum People {
    Table,
    CreatedVia,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(People::Table)
                    .add_column(string_len(People::CreatedVia, 16).default("registration"))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE people SET created_via = 'sync' WHERE password_hash IS NULL \
             AND id IN (SELECT record_id FROM external_ids WHERE kind = 'person')",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE people SET created_via = 'staff' WHERE id IN (SELECT person_id FROM role_assignments)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(People::Table).drop_column(People::CreatedVia).to_owned()).await
    }
}
