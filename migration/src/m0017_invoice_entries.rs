use sea_orm_migration::{prelude::*, schema::*};

use crate::m0015_invoices::Invoices;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum InvoiceEntries {
    Table,
    Id,
    InvoiceId,
    AffiliateId,
    Kind,
    Method,
    AmountCents,
    Reference,
    Reason,
    RecordedByKind,
    RecordedBy,
    RecordedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(InvoiceEntries::Table)
                    .col(pk_uuid(InvoiceEntries::Id))
                    .col(uuid(InvoiceEntries::InvoiceId))
                    .col(uuid(InvoiceEntries::AffiliateId))
                    .col(string_len(InvoiceEntries::Kind, 16))
                    .col(string_len_null(InvoiceEntries::Method, 16))
                    .col(big_integer(InvoiceEntries::AmountCents))
                    .col(string_len_null(InvoiceEntries::Reference, 200))
                    .col(string_len_null(InvoiceEntries::Reason, 500))
                    .col(string_len(InvoiceEntries::RecordedByKind, 16))
                    .col(uuid_null(InvoiceEntries::RecordedBy))
                    .col(timestamp_with_time_zone(InvoiceEntries::RecordedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_invoice_entries_invoice")
                            .from(InvoiceEntries::Table, InvoiceEntries::InvoiceId)
                            .to(Invoices::Table, Invoices::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_invoice_entries_invoice")
                    .table(InvoiceEntries::Table)
                    .col(InvoiceEntries::InvoiceId)
                    .col(InvoiceEntries::Id)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(InvoiceEntries::Table).to_owned()).await
    }
}
