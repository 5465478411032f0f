//! Every migration is reversible: each one down in turn, then all up again.
use endorse_tests::fresh_database_url;
use migration::{Migrator, MigratorTrait};
use sea_orm::EntityTrait;

#[tokio::test]
async fn migrations_go_down_one_by_one_and_up_again() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path()).await;
    let db = api::db::migrator_connection(&url).await.unwrap();
    let all = Migrator::migrations().len();
    Migrator::up(&db, None).await.unwrap();
    assert_eq!(Migrator::get_applied_migrations(&db).await.unwrap().len(), all);
    assert_eq!(entity::affiliate::Entity::find().all(&db).await.unwrap().len(), 1, "Washington seeded");
    assert_eq!(entity::membership_plan::Entity::find().all(&db).await.unwrap().len(), 1, "its plan seeded");
    assert_eq!(entity::fee_schedule::Entity::find().all(&db).await.unwrap().len(), 1, "its registration fee seeded");

    for step in 1..=all {
        Migrator::down(&db, Some(1)).await.unwrap();
        assert_eq!(Migrator::get_applied_migrations(&db).await.unwrap().len(), all - step);
    }
    assert!(entity::affiliate::Entity::find().all(&db).await.is_err(), "the tables are gone");

    Migrator::up(&db, None).await.unwrap();
    assert_eq!(Migrator::get_pending_migrations(&db).await.unwrap().len(), 0);
    assert_eq!(entity::affiliate::Entity::find().all(&db).await.unwrap().len(), 1);
    assert_eq!(entity::membership_plan::Entity::find().all(&db).await.unwrap().len(), 1);
}
