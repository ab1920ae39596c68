//! Mon Compte Partenaire (BQ-MCP; 003:8): the CAF's partner space, two services each habilitated on its own
//! (003:5): the quotient familial for petite enfance, enfance and jeunesse activities, and the families'
//! address information. As in PSU (CO-2), a dossier is found by its NIR or its matricule together with the
//! allocataire's name; each service then shows its one rubrique, with the allocataires' names so that the
//! agent knows he has the right family, and nothing else.

use crate::consult::{QuotientFamilial, RechercheNominative};
use crate::{Agent, App, AppError};
use partage_domain::dossier::{Adresse, Personne};
use partage_domain::{Bouquet, PeriodeQf};
use serde::Serialize;

/// A Mon Compte Partenaire search: the NIR or the matricule, and the allocataire's name; a month for the
/// QF service.
pub type McpQuery<'a> = RechercheNominative<'a>;

/// The QF service: the QF of the chosen month and every validity period (CO-6); no address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct McpQfView {
    pub matricule: String,
    pub allocataires: Vec<Personne>,
    pub quotient_familial: Option<QuotientFamilial>,
    pub periodes: Vec<PeriodeQf>,
}

/// The address service: the family's address; no QF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct McpAdresseView {
    pub matricule: String,
    pub allocataires: Vec<Personne>,
    pub adresse: Adresse,
}

impl App {
    /// BQ-MCP, first service: the QF for the activities of children and young people.
    pub async fn consult_mcp_qf(
        &self,
        agent: &Agent,
        query: McpQuery<'_>,
        source: &str,
    ) -> Result<McpQfView, AppError> {
        let (dossier, annee, mois) = self
            .trouver_par_nom(agent, Bouquet::McpQf, &query, source)
            .await?;
        let view = McpQfView {
            matricule: dossier.matricule.to_string(),
            quotient_familial: QuotientFamilial::du_mois(&dossier, agent.session.regime, annee, mois),
            allocataires: dossier.allocataires,
            periodes: dossier.quotients_familiaux,
        };
        self.trace_succes(agent, Bouquet::McpQf, &view.matricule, source)
            .await?;
        Ok(view)
    }

    /// BQ-MCP, second service: the family's address.
    pub async fn consult_mcp_adresse(
        &self,
        agent: &Agent,
        query: McpQuery<'_>,
        source: &str,
    ) -> Result<McpAdresseView, AppError> {
        let (dossier, _, _) = self
            .trouver_par_nom(agent, Bouquet::McpAdresse, &query, source)
            .await?;
        let view = McpAdresseView {
            matricule: dossier.matricule.to_string(),
            allocataires: dossier.allocataires,
            adresse: dossier.adresse,
        };
        self.trace_succes(agent, Bouquet::McpAdresse, &view.matricule, source)
            .await?;
        Ok(view)
    }
}
