//! The endorse service. `startup::Application` runs it; `cli` is the `endorse` binary.
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod features;
pub mod http;
pub mod mail;
pub mod openapi;
pub mod platform;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod workers;
