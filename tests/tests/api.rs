//! The black-box suite. Runs on SQLite by default and on PostgreSQL when
//! `TEST_DATABASE_URL` is set; every test starts its own service on its own database.
mod api {
    mod affiliates;
    mod auth;
    mod concurrency;
    mod contract;
    mod migrations;
    mod openapi;
    mod operations;
    mod outbox;
}
