use sea_orm_migration::{prelude::*, schema::*};

use crate::m0015_invoices::Invoices;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum InvoiceLines {
    Table,
    Id,
    InvoiceId,
    Position,
    Description,
    FeeKind,
    AmountCents,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(InvoiceLines::Table)
                    .col(pk_uuid(InvoiceLines::Id))
                    .col(uuid(InvoiceLines::InvoiceId))
                    .col(integer(InvoiceLines::Position))
                    .col(string_len(InvoiceLines::Description, 200))
                    .col(string_len(InvoiceLines::FeeKind, 16))
                    .col(big_integer(InvoiceLines::AmountCents))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_invoice_lines_invoice")
                            .from(InvoiceLines::Table, InvoiceLines::InvoiceId)
                            .to(Invoices::Table, Invoices::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_invoice_lines_invoice")
                    .table(InvoiceLines::Table)
                    .col(InvoiceLines::InvoiceId)
                    .col(InvoiceLines::Position)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(InvoiceLines::Table).to_owned()).await
    }
}
