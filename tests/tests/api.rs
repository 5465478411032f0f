//! The black-box suite. Runs on SQLite by default and on PostgreSQL when
//! `TEST_DATABASE_URL` is set; every test starts its own service on its own database.
mod api {
    mod accounts;
    mod affiliates;
    mod applications;
    mod auth;
    mod billing;
    mod catalog;
    mod clients;
    mod concurrency;
    mod contract;
    mod delivery;
    mod journey;
    mod memberships;
    mod messages;
    mod migrations;
    mod openapi;
    mod operations;
    mod outbox;
    mod registration;
    mod renewals;
    mod reports;
    mod scholarships;
    mod security_matrix;
    mod sync;
    mod trust;
    mod webhooks;
}
