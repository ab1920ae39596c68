//! partage's domain: the rules of the conventions signed between a caisse (CAF or MSA) and its partners,
//! as types that cannot hold an invalid value and pure functions that never read a clock or a disk.
//!
//! Every date or instant a rule needs is a parameter, so the rules can be tested at any moment of a
//! convention's life without waiting.

pub mod abus;
pub mod activation;
pub mod avenants;
pub mod bareme;
pub mod bouquet;
pub mod convention;
pub mod cycle;
pub mod date_iso;
pub mod debit;
pub mod demande;
pub mod dossier;
pub mod euros;
pub mod famille;
pub mod gestion;
pub mod habilitation;
pub mod ids;
pub mod merkle;
pub mod nir;
pub mod partenaire;
pub mod password;
pub mod perimetre;
pub mod personnel;
pub mod plage;
pub mod retention;
pub mod rsa;
pub mod session;
pub mod siret;
pub mod totp;
pub mod trace;
pub mod trace_log;
pub mod verrouillage;

pub use bouquet::{Bouquet, Rubrique};
pub use convention::Convention;
pub use dossier::{Adresse, Dossier, PeriodeQf, Personne, Sexe};
pub use euros::Euros;
pub use ids::{
    CaisseCode, CodeCirconscription, CodeDepartement, Identifiant, Matricule, NumeroConvention, NumeroTiers,
    Regime,
};
pub use nir::Nir;
pub use siret::Siret;
