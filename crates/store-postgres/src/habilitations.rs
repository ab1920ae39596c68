//! Habilitation requests and grants (see `partage_store::habilitations`). A grant locks its request and
//! its convention (`FOR UPDATE`) before counting against the cap: two servers granting on one convention
//! at once are taken one after the other, so they cannot both take the last slot.

use crate::codec::{parse_departements, ConventionRow};
use crate::error::{corrupt, DbResult};
use crate::PostgresStore;
use async_trait::async_trait;
use chrono::NaiveDate;
use partage_domain::demande::{verifier_plafond, Demande};
use partage_domain::habilitation::{Administrateur, Gestion};
use partage_domain::{Bouquet, Identifiant, NumeroConvention, NumeroTiers};
use partage_store::codec::identifiant;
use partage_store::habilitations::{
    demande_enregistree, demande_json, etat_code, extranaute, identifiant_libre, nature_code, Accord,
    AccordRefuse, CibleInconnue, ConventionDuPartenaire, DemandeEnregistree, DemandeId, DemandeRow,
    Designation, Effet, Extranaute, ExtranauteRow, FiltreDemandes, Habilitations, NouvelleDemande,
    DEMANDE_COLUMNS,
};
use partage_store::habilitations::{parse_administrateur, parse_gestion};
use partage_store::{CaisseId, StoreError, UserId};
use sqlx::PgConnection;

/// Habilitations of active users on a convention: what its cap limits (HB-7). A suspended one (HB-9) counts:
/// it is held, only paused, and its reactivation needs no free slot.
const COMPTE: &str = "SELECT count(*) FROM habilitations h JOIN utilisateurs u ON u.id = h.utilisateur_id
                      WHERE h.convention_id = $1 AND u.active";

fn plafond(value: Option<i64>) -> Result<Option<u32>, StoreError> {
    value
        .map(|p| u32::try_from(p).map_err(|e| corrupt("conventions.plafond_habilitations", e)))
        .transpose()
}

fn compte(value: i64) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// The convention's cap and how many habilitations it carries now (HB-7). Locks the convention until the
/// end of the transaction, so that grants on it count one after the other.
async fn occupation(conn: &mut PgConnection, convention: i64) -> Result<(Option<u32>, u32), StoreError> {
    let (cap,): (Option<i64>,) =
        sqlx::query_as("SELECT plafond_habilitations::bigint FROM conventions WHERE id = $1 FOR UPDATE")
            .bind(convention)
            .fetch_one(&mut *conn)
            .await
            .db()?;
    let (n,): (i64,) = sqlx::query_as(COMPTE)
        .bind(convention)
        .fetch_one(&mut *conn)
        .await
        .db()?;
    Ok((plafond(cap)?, compte(n)))
}

/// Partner id, then the partner's convention id, in the caisse.
async fn cible(
    conn: &mut PgConnection,
    caisse: CaisseId,
    tiers: &NumeroTiers,
    numero: &NumeroConvention,
) -> Result<Result<(i64, i64), CibleInconnue>, StoreError> {
    let partenaire: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM partenaires WHERE caisse_id = $1 AND numero_tiers = $2")
            .bind(caisse.0)
            .bind(tiers.as_str())
            .fetch_optional(&mut *conn)
            .await
            .db()?;
    let Some((partenaire,)) = partenaire else {
        return Ok(Err(CibleInconnue::Partenaire));
    };
    let convention: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM conventions WHERE caisse_id = $1 AND partenaire_id = $2 AND numero = $3",
    )
    .bind(caisse.0)
    .bind(partenaire)
    .bind(numero.as_str())
    .fetch_optional(&mut *conn)
    .await
    .db()?;
    Ok(convention
        .map(|(c,)| (partenaire, c))
        .ok_or(CibleInconnue::Convention))
}

/// The user of this partner named `identifiant`.
async fn utilisateur_du_partenaire(
    conn: &mut PgConnection,
    caisse: CaisseId,
    partenaire: i64,
    identifiant: Option<&str>,
) -> Result<Option<(i64, bool)>, StoreError> {
    let Some(identifiant) = identifiant else {
        return Ok(None);
    };
    let row: Option<(i64, bool)> = sqlx::query_as(
        "SELECT id, administrateur IS NOT NULL FROM utilisateurs
         WHERE caisse_id = $1 AND partenaire_id = $2 AND identifiant = $3",
    )
    .bind(caisse.0)
    .bind(partenaire)
    .bind(identifiant)
    .fetch_optional(&mut *conn)
    .await
    .db()?;
    Ok(row)
}

/// Applies the effect of a grant inside the caller's transaction; with `proteger`, an administrator's
/// habilitations are refused (HB-9: the caisse's to change).
#[allow(clippy::too_many_arguments)]
async fn appliquer(
    conn: &mut PgConnection,
    caisse: CaisseId,
    partenaire: i64,
    convention: i64,
    bouquet: &str,
    utilisateur: Option<&str>,
    effet: &Effet,
    proteger: bool,
) -> Result<Result<Accord, AccordRefuse>, StoreError> {
    match effet {
        Effet::Acces {
            agent,
            profil,
            mot_de_passe_provisoire_hash,
        } => {
            let (cap, n) = occupation(conn, convention).await?;
            if let Err(e) = verifier_plafond(n, cap) {
                return Ok(Err(AccordRefuse::PlafondAtteint(e.plafond)));
            }
            let base = identifiant_libre(agent, &[])?;
            let pris: Vec<(String,)> = sqlx::query_as(
                "SELECT identifiant FROM utilisateurs WHERE caisse_id = $1 AND starts_with(identifiant, $2)",
            )
            .bind(caisse.0)
            .bind(base.as_str())
            .fetch_all(&mut *conn)
            .await
            .db()?;
            let mut pris: Vec<String> = pris.into_iter().map(|(p,)| p).collect();
            // Another server may take the same identifier meanwhile: the next one is tried then.
            let (ident, user) = loop {
                let ident = identifiant_libre(agent, &pris)?;
                let row: Option<(i64,)> = sqlx::query_as(
                    "INSERT INTO utilisateurs (caisse_id, identifiant, partenaire_id, civilite, nom, prenom, email,
                         password_hash, service, adresse_service, fonction)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                     ON CONFLICT (caisse_id, identifiant) DO NOTHING RETURNING id",
                )
                .bind(caisse.0)
                .bind(ident.as_str())
                .bind(partenaire)
                .bind(agent.civilite.as_deref().unwrap_or(""))
                .bind(&agent.nom)
                .bind(&agent.prenom)
                .bind(&agent.email)
                .bind(mot_de_passe_provisoire_hash)
                .bind(agent.service.as_deref())
                .bind(agent.adresse_service.as_deref())
                .bind(agent.fonction.as_deref())
                .fetch_optional(&mut *conn)
                .await
                .db()?;
                match row {
                    Some((user,)) => break (ident, user),
                    None => pris.push(ident.to_string()),
                }
            };
            sqlx::query(
                "INSERT INTO habilitations (utilisateur_id, convention_id, bouquet, profil, circonscriptions)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(user)
            .bind(convention)
            .bind(bouquet)
            .bind(profil.as_deref())
            .bind(circonscriptions(agent))
            .execute(&mut *conn)
            .await
            .db()?;
            Ok(Ok(Accord::Cree(ident)))
        }
        Effet::Modification { agent, profil } => {
            let user = match utilisateur_du_partenaire(conn, caisse, partenaire, utilisateur).await? {
                None => return Ok(Err(AccordRefuse::UtilisateurInconnu)),
                Some((_, true)) if proteger => return Ok(Err(AccordRefuse::Administrateur)),
                Some((user, _)) => user,
            };
            let done = sqlx::query(
                "UPDATE habilitations SET profil = $1, circonscriptions = $5
                 WHERE utilisateur_id = $2 AND convention_id = $3 AND bouquet = $4",
            )
            .bind(profil.as_deref())
            .bind(user)
            .bind(convention)
            .bind(bouquet)
            .bind(circonscriptions(agent))
            .execute(&mut *conn)
            .await
            .db()?;
            if done.rows_affected() == 0 {
                return Ok(Err(AccordRefuse::HabilitationAbsente));
            }
            sqlx::query(
                "UPDATE utilisateurs SET civilite = $1, nom = $2, prenom = $3, email = $4, service = $5,
                     adresse_service = $6, fonction = $7
                 WHERE id = $8",
            )
            .bind(agent.civilite.as_deref().unwrap_or(""))
            .bind(&agent.nom)
            .bind(&agent.prenom)
            .bind(&agent.email)
            .bind(agent.service.as_deref())
            .bind(agent.adresse_service.as_deref())
            .bind(agent.fonction.as_deref())
            .bind(user)
            .execute(&mut *conn)
            .await
            .db()?;
            Ok(Ok(Accord::Modifie(identifiant(utilisateur.unwrap_or_default())?)))
        }
        Effet::Suppression => {
            let user = match utilisateur_du_partenaire(conn, caisse, partenaire, utilisateur).await? {
                None => return Ok(Err(AccordRefuse::UtilisateurInconnu)),
                Some((_, true)) if proteger => return Ok(Err(AccordRefuse::Administrateur)),
                Some((user, _)) => user,
            };
            let done = sqlx::query(
                "DELETE FROM habilitations WHERE utilisateur_id = $1 AND convention_id = $2 AND bouquet = $3",
            )
            .bind(user)
            .bind(convention)
            .bind(bouquet)
            .execute(&mut *conn)
            .await
            .db()?;
            if done.rows_affected() == 0 {
                return Ok(Err(AccordRefuse::HabilitationAbsente));
            }
            let (reste,): (i64,) =
                sqlx::query_as("SELECT count(*) FROM habilitations WHERE utilisateur_id = $1")
                    .bind(user)
                    .fetch_one(&mut *conn)
                    .await
                    .db()?;
            let mut sessions_fermees = 0;
            if reste == 0 {
                sqlx::query("UPDATE utilisateurs SET active = false WHERE id = $1")
                    .bind(user)
                    .execute(&mut *conn)
                    .await
                    .db()?;
                sessions_fermees = sqlx::query("DELETE FROM sessions WHERE utilisateur_id = $1")
                    .bind(user)
                    .execute(&mut *conn)
                    .await
                    .db()?
                    .rows_affected();
            }
            Ok(Ok(Accord::Supprime {
                identifiant: identifiant(utilisateur.unwrap_or_default())?,
                desactive: reste == 0,
                sessions_fermees,
            }))
        }
        Effet::Suspension | Effet::Reactivation => {
            let user = match utilisateur_du_partenaire(conn, caisse, partenaire, utilisateur).await? {
                None => return Ok(Err(AccordRefuse::UtilisateurInconnu)),
                Some((_, true)) if proteger => return Ok(Err(AccordRefuse::Administrateur)),
                Some((user, _)) => user,
            };
            let suspendre = matches!(effet, Effet::Suspension);
            // One guarded statement: of two administrators suspending at once, one changes the row and the
            // other finds it already suspended. The habilitation stays held, so the cap (HB-7) still counts it.
            let done = sqlx::query(
                "UPDATE habilitations SET suspendue = $1 WHERE utilisateur_id = $2 AND convention_id = $3 AND bouquet = $4
                   AND suspendue <> $1",
            )
            .bind(suspendre)
            .bind(user)
            .bind(convention)
            .bind(bouquet)
            .execute(&mut *conn)
            .await
            .db()?;
            if done.rows_affected() == 0 {
                let etat: Option<(bool,)> = sqlx::query_as("SELECT suspendue FROM habilitations WHERE utilisateur_id = $1 AND convention_id = $2 AND bouquet = $3")
                    .bind(user)
                    .bind(convention)
                    .bind(bouquet)
                    .fetch_optional(&mut *conn)
                    .await
                    .db()?;
                return Ok(Err(match (etat, suspendre) {
                    (None, _) => AccordRefuse::HabilitationAbsente,
                    (Some(_), true) => AccordRefuse::DejaSuspendue,
                    (Some(_), false) => AccordRefuse::NonSuspendue,
                }));
            }
            let i = identifiant(utilisateur.unwrap_or_default())?;
            Ok(Ok(if suspendre {
                Accord::Suspendu(i)
            } else {
                Accord::Reactive(i)
            }))
        }
    }
}

fn revision_de(demande: &Demande) -> i64 {
    i64::try_from(demande.historique().len()).unwrap_or(i64::MAX)
}

#[async_trait]
impl Habilitations for PostgresStore {
    async fn convention_du_partenaire(
        &self,
        caisse: CaisseId,
        partenaire: &NumeroTiers,
        numero: &NumeroConvention,
    ) -> Result<Result<ConventionDuPartenaire, CibleInconnue>, StoreError> {
        let mut conn = self.pool.acquire().await.db()?;
        let (_, convention) = match cible(&mut conn, caisse, partenaire, numero).await? {
            Ok(ids) => ids,
            Err(e) => return Ok(Err(e)),
        };
        type Row = (
            String,
            Vec<String>,
            NaiveDate,
            Option<NaiveDate>,
            Option<NaiveDate>,
            Option<String>,
            Option<Vec<String>>,
        );
        let (numero, bouquets, signee_le, formalite_cnil_le, fin_le, gestion, departements): Row =
            sqlx::query_as(
                "SELECT numero, bouquets, signee_le, formalite_cnil_le, fin_le, gestion, departements
                 FROM conventions WHERE id = $1",
            )
            .bind(convention)
            .fetch_one(&mut *conn)
            .await
            .db()?;
        let (plafond, habilitations) = occupation(&mut conn, convention).await?;
        Ok(Ok(ConventionDuPartenaire {
            convention: ConventionRow {
                numero,
                bouquets,
                signee_le,
                formalite_cnil_le,
                fin_le,
            }
            .into_convention()?,
            plafond,
            habilitations,
            gestion: parse_gestion(gestion.as_deref())?,
            departements: crate::codec::parse_departements(
                "conventions.departements",
                &departements.unwrap_or_default(),
            )?,
        }))
    }

    async fn create_demande(
        &self,
        d: &NouvelleDemande,
    ) -> Result<Result<DemandeId, CibleInconnue>, StoreError> {
        let mut tx = self.pool.begin().await.db()?;
        let (partenaire, convention) = match cible(&mut tx, d.caisse, &d.partenaire, &d.convention).await? {
            Ok(ids) => ids,
            Err(e) => return Ok(Err(e)),
        };
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO demandes_habilitation (caisse_id, partenaire_id, convention_id, bouquet, nature,
                 utilisateur, etat, demande, revision, saisie_par)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(d.caisse.0)
        .bind(partenaire)
        .bind(convention)
        .bind(d.bouquet.code())
        .bind(nature_code(&d.demande))
        .bind(d.utilisateur.as_ref().map(Identifiant::as_str))
        .bind(etat_code(d.demande.etat()))
        .bind(demande_json(&d.demande)?)
        .bind(revision_de(&d.demande))
        .bind(&d.saisie_par)
        .fetch_one(&mut *tx)
        .await
        .db()?;
        tx.commit().await.db()?;
        Ok(Ok(DemandeId(id)))
    }

    async fn demande(
        &self,
        caisse: CaisseId,
        id: DemandeId,
    ) -> Result<Option<DemandeEnregistree>, StoreError> {
        let row: Option<DemandeRow> = sqlx::query_as(&format!(
            "SELECT {DEMANDE_COLUMNS}
             FROM demandes_habilitation d
             JOIN partenaires p ON p.id = d.partenaire_id
             JOIN conventions c ON c.id = d.convention_id
             WHERE d.caisse_id = $1 AND d.id = $2"
        ))
        .bind(caisse.0)
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .db()?;
        row.map(demande_enregistree).transpose()
    }

    async fn demandes(
        &self,
        caisse: CaisseId,
        filtre: &FiltreDemandes,
    ) -> Result<Vec<DemandeEnregistree>, StoreError> {
        let etat = filtre.etat.map(etat_code);
        let tiers = filtre.partenaire.as_ref().map(NumeroTiers::as_str);
        let rows: Vec<DemandeRow> = sqlx::query_as(&format!(
            "SELECT {DEMANDE_COLUMNS}
             FROM demandes_habilitation d
             JOIN partenaires p ON p.id = d.partenaire_id
             JOIN conventions c ON c.id = d.convention_id
             WHERE d.caisse_id = $1 AND ($2 IS NULL OR d.etat = $2) AND ($3 IS NULL OR p.numero_tiers = $3)
             ORDER BY d.id DESC"
        ))
        .bind(caisse.0)
        .bind(etat)
        .bind(tiers)
        .fetch_all(&self.pool)
        .await
        .db()?;
        rows.into_iter().map(demande_enregistree).collect()
    }

    async fn record_demande(
        &self,
        caisse: CaisseId,
        id: DemandeId,
        revision: i64,
        demande: &Demande,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE demandes_habilitation SET demande = $1, etat = $2, revision = $3
             WHERE caisse_id = $4 AND id = $5 AND revision = $6",
        )
        .bind(demande_json(demande)?)
        .bind(etat_code(demande.etat()))
        .bind(revision_de(demande))
        .bind(caisse.0)
        .bind(id.0)
        .bind(revision)
        .execute(&self.pool)
        .await
        .db()?;
        Ok(done.rows_affected() == 1)
    }

    async fn accorder_demande(
        &self,
        caisse: CaisseId,
        id: DemandeId,
        revision: i64,
        demande: &Demande,
        effet: &Effet,
    ) -> Result<Result<Accord, AccordRefuse>, StoreError> {
        let mut tx = self.pool.begin().await.db()?;
        let row: Option<(i64, i64, String, Option<String>)> = sqlx::query_as(
            "SELECT partenaire_id, convention_id, bouquet, utilisateur FROM demandes_habilitation
             WHERE caisse_id = $1 AND id = $2 AND revision = $3 FOR UPDATE",
        )
        .bind(caisse.0)
        .bind(id.0)
        .bind(revision)
        .fetch_optional(&mut *tx)
        .await
        .db()?;
        let Some((partenaire, convention, bouquet, utilisateur)) = row else {
            return Ok(Err(AccordRefuse::Concurrence));
        };
        let accord = match appliquer(
            &mut tx,
            caisse,
            partenaire,
            convention,
            &bouquet,
            utilisateur.as_deref(),
            effet,
            false,
        )
        .await?
        {
            Ok(accord) => accord,
            // Dropping the transaction rolls back whatever the effect had begun.
            Err(refus) => return Ok(Err(refus)),
        };
        let concerne = accord.identifiant().as_str();
        sqlx::query(
            "UPDATE demandes_habilitation SET demande = $1, etat = $2, revision = $3, utilisateur = $4
             WHERE id = $5",
        )
        .bind(demande_json(demande)?)
        .bind(etat_code(demande.etat()))
        .bind(revision_de(demande))
        .bind(concerne)
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .db()?;
        tx.commit().await.db()?;
        Ok(Ok(accord))
    }

    async fn set_plafond(
        &self,
        caisse: CaisseId,
        numero: &NumeroConvention,
        plafond: Option<u32>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE conventions SET plafond_habilitations = $1::integer WHERE caisse_id = $2 AND numero = $3",
        )
        .bind(plafond.map(i64::from))
        .bind(caisse.0)
        .bind(numero.as_str())
        .execute(&self.pool)
        .await
        .db()?;
        Ok(done.rows_affected() == 1)
    }

    async fn reinitialiser_mot_de_passe(
        &self,
        caisse: CaisseId,
        identifiant: &Identifiant,
        hash: &str,
    ) -> Result<Option<(u64, NumeroTiers)>, StoreError> {
        let mut tx = self.pool.begin().await.db()?;
        let user: Option<(i64, i64)> = sqlx::query_as(
            "UPDATE utilisateurs SET password_hash = $1, must_change_password = true
             WHERE caisse_id = $2 AND identifiant = $3 RETURNING id, partenaire_id",
        )
        .bind(hash)
        .bind(caisse.0)
        .bind(identifiant.as_str())
        .fetch_optional(&mut *tx)
        .await
        .db()?;
        let Some((user, partenaire)) = user else {
            return Ok(None);
        };
        let (tiers,): (String,) = sqlx::query_as("SELECT numero_tiers FROM partenaires WHERE id = $1")
            .bind(partenaire)
            .fetch_one(&mut *tx)
            .await
            .db()?;
        // A link issued before the reset would be another way in: it goes with the old password (HB-6).
        sqlx::query("DELETE FROM activations WHERE utilisateur_id = $1 AND utilise_le IS NULL")
            .bind(user)
            .execute(&mut *tx)
            .await
            .db()?;
        let ended = sqlx::query("DELETE FROM sessions WHERE utilisateur_id = $1")
            .bind(user)
            .execute(&mut *tx)
            .await
            .db()?
            .rows_affected();
        tx.commit().await.db()?;
        Ok(Some((ended, partage_store::codec::numero_tiers(&tiers)?)))
    }

    async fn appliquer_habilitation(
        &self,
        caisse: CaisseId,
        partenaire: &NumeroTiers,
        numero: &NumeroConvention,
        bouquet: Bouquet,
        utilisateur: Option<&Identifiant>,
        effet: &Effet,
    ) -> Result<Result<Accord, AccordRefuse>, StoreError> {
        let mut tx = self.pool.begin().await.db()?;
        let (partenaire, convention) = match cible(&mut tx, caisse, partenaire, numero).await? {
            Ok(ids) => ids,
            Err(e) => return Ok(Err(AccordRefuse::Cible(e))),
        };
        let accord = appliquer(
            &mut tx,
            caisse,
            partenaire,
            convention,
            bouquet.code(),
            utilisateur.map(Identifiant::as_str),
            effet,
            true,
        )
        .await?;
        if accord.is_ok() {
            tx.commit().await.db()?;
        }
        Ok(accord)
    }

    async fn set_gestion(
        &self,
        caisse: CaisseId,
        numero: &NumeroConvention,
        gestion: Option<Gestion>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE conventions SET gestion = $1 WHERE caisse_id = $2 AND numero = $3")
            .bind(gestion.map(Gestion::code))
            .bind(caisse.0)
            .bind(numero.as_str())
            .execute(&self.pool)
            .await
            .db()?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_administrateur(
        &self,
        caisse: CaisseId,
        identifiant: &Identifiant,
        role: Option<Administrateur>,
    ) -> Result<Designation, StoreError> {
        // One statement, so no other designation slips between the check and the change; the unique index
        // of migration 0150 stands behind it.
        let result = sqlx::query(
            "UPDATE utilisateurs SET administrateur = $1 WHERE caisse_id = $2 AND identifiant = $3
               AND ($1::text IS NULL OR NOT EXISTS (
                   SELECT 1 FROM utilisateurs o WHERE o.partenaire_id = utilisateurs.partenaire_id
                       AND o.administrateur = $1 AND o.id <> utilisateurs.id))",
        )
        .bind(role.map(Administrateur::code))
        .bind(caisse.0)
        .bind(identifiant.as_str())
        .execute(&self.pool)
        .await;
        let unique_violation = matches!(
            &result,
            Err(sqlx::Error::Database(e)) if e.kind() == sqlx::error::ErrorKind::UniqueViolation
        );
        if !unique_violation && result.db()?.rows_affected() == 1 {
            return Ok(Designation::Faite);
        }
        let holder: Option<(String,)> = sqlx::query_as(
            "SELECT o.identifiant FROM utilisateurs u
             JOIN utilisateurs o ON o.partenaire_id = u.partenaire_id AND o.id <> u.id AND o.administrateur = $1
             WHERE u.caisse_id = $2 AND u.identifiant = $3",
        )
        .bind(role.map(Administrateur::code))
        .bind(caisse.0)
        .bind(identifiant.as_str())
        .fetch_optional(&self.pool)
        .await
        .db()?;
        if let Some((other,)) = holder {
            return Ok(Designation::RoleDejaTenu(partage_store::codec::identifiant(
                &other,
            )?));
        }
        let exists: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM utilisateurs WHERE caisse_id = $1 AND identifiant = $2")
                .bind(caisse.0)
                .bind(identifiant.as_str())
                .fetch_optional(&self.pool)
                .await
                .db()?;
        match exists {
            None => Ok(Designation::UtilisateurInconnu),
            // The other holder gave the role up meanwhile: the caller may simply try again.
            Some(_) => Err(StoreError::Backend(
                "désignation concurrente d'un administrateur".to_owned(),
            )),
        }
    }

    async fn administrateur(&self, user: UserId) -> Result<Option<Administrateur>, StoreError> {
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT administrateur FROM utilisateurs WHERE id = $1")
                .bind(user.0)
                .fetch_optional(&self.pool)
                .await
                .db()?;
        parse_administrateur(row.and_then(|(a,)| a).as_deref())
    }

    async fn extranautes(&self, caisse: CaisseId, bouquet: Bouquet) -> Result<Vec<Extranaute>, StoreError> {
        type Row = ExtranauteRow<Vec<String>>;
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT p.numero_tiers, p.nom, p.departements, c.numero, u.identifiant, u.civilite, u.nom, u.prenom,
                    u.email, u.service, u.fonction, h.profil, u.active, h.suspendue
             FROM habilitations h
             JOIN utilisateurs u ON u.id = h.utilisateur_id
             JOIN partenaires p ON p.id = u.partenaire_id
             JOIN conventions c ON c.id = h.convention_id
             WHERE u.caisse_id = $1 AND h.bouquet = $2
             ORDER BY p.numero_tiers, u.identifiant, c.numero",
        )
        .bind(caisse.0)
        .bind(bouquet.code())
        .fetch_all(&self.pool)
        .await
        .db()?;
        rows.into_iter()
            .map(|row| {
                let departements = parse_departements("partenaires.departements", &row.2)?;
                extranaute(row, departements)
            })
            .collect()
    }
}

/// CO-3: the habilitation's circonscriptions as the column keeps them (`DÉP/CODE` texts).
fn circonscriptions(agent: &partage_domain::demande::AgentDemande) -> Vec<String> {
    agent.circonscriptions.iter().map(ToString::to_string).collect()
}
