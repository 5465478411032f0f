//! Email as data: an affiliate's own wording of any built-in template (per language),
//! and Spanish names for the categories and plans an email shows.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum MailTemplates {
    Table,
    Id,
    AffiliateId,
    Template,
    Language,
    Subject,
    Text,
    Html,
    Customized,
    UpdatedBy,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum Affiliates {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum CredentialCategories {
    Table,
    Code,
    NameEs,
}

#[derive(DeriveIden)]
enum MembershipPlans {
    Table,
    NameEs,
}

/// The seeded categories' names in Spanish.
pub const SPANISH_NAMES: &[(&str, &str)] = &[
    ("IFA", "Asociado/a en Familia e Infancia"),
    ("IFS", "Especialista en Familia e Infancia"),
    ("IFRS", "Supervisor/a Reflexivo/a en Familia e Infancia"),
    ("IMHS", "Especialista en Salud Mental Infantil"),
    ("IMHM-C", "Mentor/a en Salud Mental Infantil - Clínica"),
    ("IMHM-P", "Mentor/a en Salud Mental Infantil - Políticas"),
    ("IMHM-R/F", "Mentor/a en Salud Mental Infantil - Investigación/Docencia"),
    ("ECFA", "Asociado/a en Familia y Primera Infancia"),
    ("ECFS", "Especialista en Familia y Primera Infancia"),
    ("ECFRS", "Supervisor/a Reflexivo/a en Familia y Primera Infancia"),
    ("ECMHS", "Especialista en Salud Mental de la Primera Infancia"),
    ("ECMHM-C", "Mentor/a en Salud Mental de la Primera Infancia - Clínica"),
    ("ECMHM-P", "Mentor/a en Salud Mental de la Primera Infancia - Políticas"),
    ("ECMHM-R/F", "Mentor/a en Salud Mental de la Primera Infancia - Investigación/Docencia"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MailTemplates::Table)
                    .col(pk_uuid(MailTemplates::Id))
                    .col(uuid(MailTemplates::AffiliateId))
                    .col(string_len(MailTemplates::Template, 64))
                    .col(string_len(MailTemplates::Language, 8))
                    .col(string_len(MailTemplates::Subject, 300))
                    .col(text(MailTemplates::Text))
                    .col(text_null(MailTemplates::Html))
                    .col(boolean(MailTemplates::Customized))
                    .col(uuid_null(MailTemplates::UpdatedBy))
                    .col(timestamp_with_time_zone(MailTemplates::CreatedAt))
                    .col(timestamp_with_time_zone(MailTemplates::UpdatedAt))
                    .col(big_integer(MailTemplates::Version))
                    .foreign_key(
                        ForeignKey::create()
                            .from(MailTemplates::Table, MailTemplates::AffiliateId)
                            .to(Affiliates::Table, Affiliates::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("mail_templates_one_per_language")
                    .table(MailTemplates::Table)
                    .col(MailTemplates::AffiliateId)
                    .col(MailTemplates::Template)
                    .col(MailTemplates::Language)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(CredentialCategories::Table)
                    .add_column(string_len_null(CredentialCategories::NameEs, 200))
                    .to_owned(),
            )
            .await?;
        for (code, name) in SPANISH_NAMES {
            manager
                .exec_stmt(
                    Query::update()
                        .table(CredentialCategories::Table)
                        .value(CredentialCategories::NameEs, *name)
                        .and_where(Expr::col(CredentialCategories::Code).eq(*code))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(MembershipPlans::Table)
                    .add_column(string_len_null(MembershipPlans::NameEs, 200))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(MembershipPlans::Table).drop_column(MembershipPlans::NameEs).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter().table(CredentialCategories::Table).drop_column(CredentialCategories::NameEs).to_owned(),
            )
            .await?;
        manager.drop_table(Table::drop().table(MailTemplates::Table).to_owned()).await
    }
}
