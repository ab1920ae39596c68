//! The model letter partners give families (OP-2, 000: annexe 1, 001: annexe 1): the caisse lets the partner
//! consult their dossier, and they may oppose it (OP-1). The conventions oblige the partner to inform them;
//! partage hands him the convention's own model, worded for his caisse's scheme, ready to print.

use super::session::PageAgent;
use super::{depuis_erreur, rendre, Nav};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use partage_domain::Regime;

#[derive(Template)]
#[template(path = "information_familles.html")]
struct InformationFamilles {
    nav: Nav,
    /// "la Caisse de Mutualité Sociale Agricole" or "la Caisse d’Allocations Familiales".
    caisse_designation: &'static str,
    /// Whom families contact to oppose: the caisse they belong to.
    caisse_sigle: &'static str,
    /// The people the letter is for: "allocataires" (CAF) or "adhérents et allocataires" (MSA).
    beneficiaires: &'static str,
    /// The partner who writes the letter (OP-2: "filled with its name"), and its address when the
    /// référentiel has one.
    partenaire: String,
    adresse: String,
}

impl InformationFamilles {
    fn pour(regime: Regime, partenaire: String, adresse: String, nav: Nav) -> InformationFamilles {
        let (caisse_designation, caisse_sigle, beneficiaires) = match regime {
            Regime::Msa => (
                "la Caisse de Mutualité Sociale Agricole",
                "la MSA",
                "adhérents et allocataires de la MSA",
            ),
            Regime::Caf => (
                "la Caisse d’Allocations Familiales",
                "la CAF",
                "allocataires de la CAF",
            ),
        };
        InformationFamilles {
            nav,
            caisse_designation,
            caisse_sigle,
            beneficiaires,
            partenaire,
            adresse,
        }
    }
}

pub(crate) async fn afficher(State(state): State<AppState>, PageAgent(session): PageAgent) -> Response {
    let fiche = match state.app.partenaire_de_l_agent(&session.agent).await {
        Ok(f) => f,
        Err(e) => return depuis_erreur(e),
    };
    let (nom, adresse) = fiche.map_or_else(Default::default, |f| (f.nom, f.coordonnees.adresse));
    let page = InformationFamilles::pour(session.agent.session.regime, nom, adresse, session.nav());
    rendre(StatusCode::OK, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn op_2_the_model_letter_names_the_partners_caisse_scheme() {
        let msa = InformationFamilles::pour(
            Regime::Msa,
            "Commune de Privas".into(),
            "1 place de la Mairie, 07000 Privas".into(),
            Nav::default(),
        )
        .render()
        .unwrap();
        assert!(msa.contains("la Caisse de Mutualité Sociale Agricole met à notre disposition"));
        assert!(!msa.contains("Allocations Familiales"));
        assert!(msa.contains("Commune de Privas"));
        assert!(msa.contains("1 place de la Mairie, 07000 Privas"));

        let caf =
            InformationFamilles::pour(Regime::Caf, "CCAS de Lille".into(), String::new(), Nav::default())
                .render()
                .unwrap();
        assert!(caf.contains("la Caisse d’Allocations Familiales met à notre disposition"));
        assert!(caf.contains("auprès de la CAF"));
        assert!(!caf.contains("Mutualité Sociale Agricole"));
        assert!(caf.contains("CCAS de Lille"));
    }
}
