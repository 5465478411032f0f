//! Every migration is reversible: down to nothing and up again on a fresh database.
use endorse_tests::fresh_database_url;
use migration::{Migrator, MigratorTrait};

#[tokio::test]
async fn migrations_go_down_and_up_again() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database_url(dir.path()).await;
    let db = api::db::connect_url(&url, 2, std::time::Duration::from_secs(5)).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    let applied = Migrator::get_applied_migrations(&db).await.unwrap().len();
    assert_eq!(applied, Migrator::migrations().len());
    use sea_orm::EntityTrait;
    assert_eq!(entity::affiliate::Entity::find().all(&db).await.unwrap().len(), 1, "Washington seeded");

    Migrator::down(&db, Some(1)).await.unwrap();
    assert_eq!(entity::affiliate::Entity::find().all(&db).await.unwrap().len(), 0, "the seed migration is undone");
    Migrator::down(&db, None).await.unwrap();
    assert_eq!(Migrator::get_applied_migrations(&db).await.unwrap().len(), 0);
    assert!(entity::affiliate::Entity::find().all(&db).await.is_err(), "the tables are gone");

    Migrator::up(&db, None).await.unwrap();
    assert_eq!(Migrator::get_pending_migrations(&db).await.unwrap().len(), 0);
    assert_eq!(entity::affiliate::Entity::find().all(&db).await.unwrap().len(), 1);
}
