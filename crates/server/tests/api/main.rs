//! API and page tests against the real server on a random port, one fresh database per
//! test, on SQLite and (when `SLINGSHOT_TEST_POSTGRES_URL` is set) PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod accounts;
mod bad_input;
mod correction_pages;
mod customer_pages;
mod erase_pages;
mod inbox;
mod ledger;
mod ledger_live;
mod ledger_pages;
mod ledger_sides;
mod ledger_writes;
mod link_pages;
mod mail;
mod openapi;
mod ops;
mod orgs;
mod personal;
mod personal_requests;
mod personal_terms;
mod portability;
mod proof_pages;
mod search;
mod tenant_walls;
mod tokens;
mod watchlist;
mod web;
