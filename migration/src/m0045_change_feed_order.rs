//! Commit-ordered positions for the change feed.
//!
//! `change_log.seq` is taken when a row is inserted, so on PostgreSQL a transaction that
//! started writing earlier can commit after one that wrote later: a reader that had
//! passed the later `seq` would never see the earlier one. `position` is assigned at
//! commit instead: a deferred constraint trigger takes the one-row `change_clock` lock
//! (held until commit ends) and numbers the transaction's rows after every position
//! already committed, so positions grow in commit order. SQLite has one writer at a
//! time, so there `position` is simply `seq`.
use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ChangeLog {
    Table,
    Seq,
    Position,
    AffiliateId,
}

const PG_UP: &str = r#"
CREATE TABLE change_clock (id smallint PRIMARY KEY, last_position bigint NOT NULL);
INSERT INTO change_clock (id, last_position) SELECT 1, COALESCE(MAX(seq), 0) FROM change_log;
CREATE INDEX ix_change_log_unpositioned ON change_log (seq) WHERE position IS NULL;
CREATE FUNCTION change_log_position() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  next_position bigint;
  row record;
BEGIN
  -- Fires once per row at commit; the first firing numbers all of this transaction's
  -- rows (the only unnumbered rows it can see) and leaves a transaction-local mark, so
  -- later firings return at once. Row-by-row primary-key updates keep the cost
  -- proportional to the transaction's own rows whatever the planner believes.
  IF current_setting('endorse.change_clock_xact', true) = pg_current_xact_id()::text THEN
    RETURN NULL;
  END IF;
  PERFORM set_config('endorse.change_clock_xact', pg_current_xact_id()::text, true);
  SELECT last_position INTO next_position FROM change_clock WHERE id = 1 FOR UPDATE;
  FOR row IN SELECT seq FROM change_log WHERE position IS NULL ORDER BY seq LOOP
    next_position := next_position + 1;
    UPDATE change_log SET position = next_position WHERE seq = row.seq;
  END LOOP;
  UPDATE change_clock SET last_position = next_position WHERE id = 1;
  RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER change_log_position AFTER INSERT ON change_log
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION change_log_position();
"#;

const PG_DOWN: &str = r#"
DROP TRIGGER IF EXISTS change_log_position ON change_log;
DROP FUNCTION IF EXISTS change_log_position();
DROP INDEX IF EXISTS ix_change_log_unpositioned;
DROP TABLE IF EXISTS change_clock;
"#;

const SQLITE_UP: &str = r#"
CREATE TRIGGER change_log_position AFTER INSERT ON change_log
BEGIN
  UPDATE change_log SET position = NEW.seq WHERE seq = NEW.seq;
END;
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table(ChangeLog::Table).add_column(big_integer_null(ChangeLog::Position)).to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared("UPDATE change_log SET position = seq").await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_change_log_affiliate_position")
                    .table(ChangeLog::Table)
                    .col(ChangeLog::AffiliateId)
                    .col(ChangeLog::Position)
                    .to_owned(),
            )
            .await?;
        // The feed reads by position; the index by seq would only slow every write.
        manager
            .drop_index(Index::drop().name("ix_change_log_affiliate_seq").table(ChangeLog::Table).to_owned())
            .await?;
        match manager.get_database_backend() {
            DbBackend::Postgres => db.execute_unprepared(PG_UP).await?,
            _ => db.execute_unprepared(SQLITE_UP).await?,
        };
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => db.execute_unprepared(PG_DOWN).await?,
            _ => db.execute_unprepared("DROP TRIGGER IF EXISTS change_log_position").await?,
        };
        manager
            .drop_index(Index::drop().name("ix_change_log_affiliate_position").table(ChangeLog::Table).to_owned())
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_change_log_affiliate_seq")
                    .table(ChangeLog::Table)
                    .col(ChangeLog::AffiliateId)
                    .col(ChangeLog::Seq)
                    .to_owned(),
            )
            .await?;
        manager.alter_table(Table::alter().table(ChangeLog::Table).drop_column(ChangeLog::Position).to_owned()).await
    }
}
