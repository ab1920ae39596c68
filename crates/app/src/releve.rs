//! BY-1 from a NIR: the caisse agent facing a family may have only a card with a NIR on it. The NIR is
//! never kept: hashed as a consultation hashes it, it finds the dossier, whose report is then the one
//! [`App::releve_consultations`] gives and traces. A NIR that finds nothing is traced by its hash.

use crate::personnel::Staff;
use crate::secrets::nir_hash;
use crate::{App, AppError};
use partage_domain::personnel::Role;
use partage_domain::trace::{Action, Resultat};
use partage_domain::Nir;
use partage_store::supervision::ConsultationDossier;

impl App {
    /// BY-1: the partners that consulted the dossier of a person with this NIR (role `supervision`), with
    /// the dossier's matricule. Traced.
    pub async fn releve_consultations_par_nir(
        &self,
        staff: &Staff,
        nir: &str,
        source: &str,
    ) -> Result<(String, Vec<ConsultationDossier>), AppError> {
        self.exiger(staff, Role::Supervision, source).await?;
        let p = &staff.personnel;
        let (resultat, hash) = match Nir::parse(nir) {
            Err(e) => (Err(AppError::NirInvalide(e.to_string())), None),
            Ok(n) => {
                let hash = nir_hash(&self.nir_key, &n);
                match self.store.dossier_by_nir(p.caisse_id, &hash).await? {
                    Some(d) => {
                        let m = d.matricule.as_str().to_owned();
                        let liste = self.releve_consultations(staff, &m, source).await?;
                        return Ok((m, liste));
                    }
                    None => (Err(AppError::DossierIntrouvable), Some(hash.0)),
                }
            }
        };
        let code = if hash.is_some() {
            Resultat::DossierIntrouvable
        } else {
            Resultat::NirInvalide
        };
        let mut trace = self.trace_typed(
            p.caisse.as_str(),
            p.identifiant.as_str(),
            source,
            Action::ReleveConsultations,
        );
        trace.resultat = code;
        trace.nir_hache = hash;
        self.journal.record(trace, None).await?;
        self.touch_personnel(staff).await?;
        resultat
    }
}
