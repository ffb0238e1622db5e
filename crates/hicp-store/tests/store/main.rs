//! Behaviour of the store through its public API, on SQLite and (when configured) PostgreSQL.

mod audit;
mod basics;
mod concurrency;
mod hostile;
mod migrations;
mod portable;
mod scenario;
mod support;
mod team;
