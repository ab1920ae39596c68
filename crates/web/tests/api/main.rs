//! partage-web's one integration-test binary: the real application, served on a free port with a fresh
//! store per test, driven over HTTP. Tests are named after the SPEC rules they prove.
//!
//! Backend: SQLite in a temporary file by default; `PARTAGE_TEST_BACKEND=postgres` runs the same tests on
//! PostgreSQL, each in a fresh schema (see `helpers::backend`).

// The whole binary is test code; clippy.toml's allow-*-in-tests covers only `#[test]` functions, not the
// helpers they share, so the opt-out is stated here once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod abus;
mod activation;
mod avenants;
mod baremes;
mod caisse;
mod consultation;
mod cycle;
mod debit;
mod dormants;
mod double_facteur;
mod habilitations;
mod helpers;
mod inactivite;
mod journal;
mod mcp;
mod mots_de_passe;
mod openapi;
mod pages;
mod pages_caisse;
mod pages_conventions;
mod pages_double_facteur;
mod pages_habilitations;
mod pages_supervision;
mod partenaires;
mod plage;
mod psu;
mod reauthentification;
mod requetes;
mod retention;
mod rsacg;
mod securite;
mod session;
mod statistiques;
mod supervision;
mod suspension;
mod traces;
mod verrouillage;
