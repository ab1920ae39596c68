//! Abuse detection (see `partage_store::abus`): rules, alerts, surveillances.

use crate::error::{ligne_de_la_caisse, DbResult};
use crate::PostgresStore;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use partage_domain::abus::{Constat, ReglesAbus};
use partage_domain::{CaisseCode, Identifiant};
use partage_store::abus::{
    alerte, caisse, surveillance, Abus, AlerteRecord, AlerteRow, ClotureRefusee, FinRefusee,
    ReglesEnregistrees, SurveillanceRecord, SurveillanceRefusee, SurveillanceRow, ALERTE_COLUMNS,
    SURVEILLANCE_COLUMNS,
};
use partage_store::supervision::Acte;
use partage_store::{CaisseId, StoreError};

type ReglesRow = (i64, i64, i64, i64, i64, i64, i64, String, DateTime<Utc>);

fn nombre(column: &str, v: i64) -> Result<u32, StoreError> {
    u32::try_from(v).map_err(|_| partage_store::codec::corrupt(column, v))
}

#[async_trait]
impl Abus for PostgresStore {
    async fn caisses_a_analyser(&self) -> Result<Vec<(CaisseId, CaisseCode)>, StoreError> {
        let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, code FROM caisses ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .db()?;
        rows.into_iter().map(caisse).collect()
    }

    async fn regles_abus(&self, caisse: CaisseId) -> Result<Option<ReglesEnregistrees>, StoreError> {
        let row: Option<ReglesRow> = sqlx::query_as(
            "SELECT facteur_volume, volume_minimum, nuit_debut, nuit_fin, seuil_introuvables,
                    seuil_agents_par_dossier, seuil_hors_perimetre, par, le
             FROM abus_regles WHERE caisse_id = $1",
        )
        .bind(caisse.0)
        .fetch_optional(&self.pool)
        .await
        .db()?;
        row.map(|(f, m, d, n, i, a, h, par, le)| {
            Ok(ReglesEnregistrees {
                regles: ReglesAbus {
                    facteur_volume: nombre("abus_regles.facteur_volume", f)?,
                    volume_minimum: nombre("abus_regles.volume_minimum", m)?,
                    nuit_debut: nombre("abus_regles.nuit_debut", d)?,
                    nuit_fin: nombre("abus_regles.nuit_fin", n)?,
                    seuil_introuvables: nombre("abus_regles.seuil_introuvables", i)?,
                    seuil_agents_par_dossier: nombre("abus_regles.seuil_agents_par_dossier", a)?,
                    seuil_hors_perimetre: nombre("abus_regles.seuil_hors_perimetre", h)?,
                },
                par,
                le,
            })
        })
        .transpose()
    }

    async fn save_regles_abus(&self, caisse: CaisseId, r: &ReglesEnregistrees) -> Result<(), StoreError> {
        let g = &r.regles;
        sqlx::query(
            "INSERT INTO abus_regles (caisse_id, facteur_volume, volume_minimum, nuit_debut, nuit_fin,
                 seuil_introuvables, seuil_agents_par_dossier, seuil_hors_perimetre, par, le)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (caisse_id) DO UPDATE SET facteur_volume = excluded.facteur_volume,
                 volume_minimum = excluded.volume_minimum, nuit_debut = excluded.nuit_debut,
                 nuit_fin = excluded.nuit_fin, seuil_introuvables = excluded.seuil_introuvables,
                 seuil_agents_par_dossier = excluded.seuil_agents_par_dossier,
                 seuil_hors_perimetre = excluded.seuil_hors_perimetre, par = excluded.par, le = excluded.le",
        )
        .bind(caisse.0)
        .bind(i64::from(g.facteur_volume))
        .bind(i64::from(g.volume_minimum))
        .bind(i64::from(g.nuit_debut))
        .bind(i64::from(g.nuit_fin))
        .bind(i64::from(g.seuil_introuvables))
        .bind(i64::from(g.seuil_agents_par_dossier))
        .bind(i64::from(g.seuil_hors_perimetre))
        .bind(&r.par)
        .bind(r.le)
        .execute(&self.pool)
        .await
        .db()?;
        Ok(())
    }

    async fn record_alertes(
        &self,
        caisse: CaisseId,
        constats: &[Constat],
        le: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut tx = self.pool.begin().await.db()?;
        let mut nouvelles = 0;
        for c in constats {
            nouvelles += sqlx::query(
                "INSERT INTO abus_alertes (caisse_id, regle, jour, sujet, utilisateur, partenaire, matricule,
                                           compte, seuil, detectee_le)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (caisse_id, regle, jour, sujet) DO NOTHING",
            )
            .bind(caisse.0)
            .bind(c.regle.code())
            .bind(c.jour)
            .bind(c.sujet())
            .bind(c.utilisateur.as_deref())
            .bind(c.partenaire.as_deref())
            .bind(c.matricule.as_deref())
            .bind(c.compte)
            .bind(c.seuil)
            .bind(le)
            .execute(&mut *tx)
            .await
            .db()?
            .rows_affected();
        }
        tx.commit().await.db()?;
        Ok(nouvelles)
    }

    async fn alertes(
        &self,
        caisse: CaisseId,
        du: NaiveDate,
        au: NaiveDate,
        ouvertes_seulement: bool,
    ) -> Result<Vec<AlerteRecord>, StoreError> {
        let rows: Vec<AlerteRow> = sqlx::query_as(&format!(
            "SELECT {ALERTE_COLUMNS} FROM abus_alertes
             WHERE caisse_id = $1 AND jour >= $2 AND jour <= $3 AND (NOT $4 OR close_le IS NULL)
             ORDER BY jour DESC, id"
        ))
        .bind(caisse.0)
        .bind(du)
        .bind(au)
        .bind(ouvertes_seulement)
        .fetch_all(&self.pool)
        .await
        .db()?;
        rows.into_iter().map(alerte).collect()
    }

    async fn close_alerte(
        &self,
        caisse: CaisseId,
        id: i64,
        acte: &Acte,
    ) -> Result<Result<AlerteRecord, ClotureRefusee>, StoreError> {
        let closed: Option<AlerteRow> = sqlx::query_as(&format!(
            "UPDATE abus_alertes SET close_le = $1, close_par = $2, commentaire = $3
             WHERE caisse_id = $4 AND id = $5 AND close_le IS NULL RETURNING {ALERTE_COLUMNS}"
        ))
        .bind(acte.le)
        .bind(&acte.par)
        .bind(&acte.motif)
        .bind(caisse.0)
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .db()?;
        if let Some(row) = closed {
            return alerte(row).map(Ok);
        }
        Ok(Err(
            if ligne_de_la_caisse(&self.pool, "abus_alertes", caisse, id).await? {
                ClotureRefusee::DejaClose
            } else {
                ClotureRefusee::Inconnue
            },
        ))
    }

    async fn start_surveillance(
        &self,
        caisse: CaisseId,
        utilisateur: &Identifiant,
        alerte: Option<i64>,
        acte: &Acte,
    ) -> Result<Result<SurveillanceRecord, SurveillanceRefusee>, StoreError> {
        let mut tx = self.pool.begin().await.db()?;
        let user: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM utilisateurs WHERE caisse_id = $1 AND identifiant = $2")
                .bind(caisse.0)
                .bind(utilisateur.as_str())
                .fetch_optional(&mut *tx)
                .await
                .db()?;
        let Some((user_id,)) = user else {
            return Ok(Err(SurveillanceRefusee::CibleInconnue));
        };
        if let Some(a) = alerte {
            let found: Option<(i64,)> =
                sqlx::query_as("SELECT id FROM abus_alertes WHERE caisse_id = $1 AND id = $2")
                    .bind(caisse.0)
                    .bind(a)
                    .fetch_optional(&mut *tx)
                    .await
                    .db()?;
            if found.is_none() {
                return Ok(Err(SurveillanceRefusee::AlerteInconnue));
            }
        }
        let row: Option<SurveillanceRow> = sqlx::query_as(&format!(
            "INSERT INTO surveillances (caisse_id, utilisateur, utilisateur_id, alerte_id, motif, par, le)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (caisse_id, utilisateur) WHERE fin_le IS NULL DO NOTHING
             RETURNING {SURVEILLANCE_COLUMNS}"
        ))
        .bind(caisse.0)
        .bind(utilisateur.as_str())
        .bind(user_id)
        .bind(alerte)
        .bind(&acte.motif)
        .bind(&acte.par)
        .bind(acte.le)
        .fetch_optional(&mut *tx)
        .await
        .db()?;
        let Some(row) = row else {
            return Ok(Err(SurveillanceRefusee::DejaSurveille));
        };
        tx.commit().await.db()?;
        surveillance(row).map(Ok)
    }

    async fn end_surveillance(
        &self,
        caisse: CaisseId,
        id: i64,
        acte: &Acte,
    ) -> Result<Result<SurveillanceRecord, FinRefusee>, StoreError> {
        let ended: Option<SurveillanceRow> = sqlx::query_as(&format!(
            "UPDATE surveillances SET fin_le = $1, fin_par = $2, fin_motif = $3
             WHERE caisse_id = $4 AND id = $5 AND fin_le IS NULL RETURNING {SURVEILLANCE_COLUMNS}"
        ))
        .bind(acte.le)
        .bind(&acte.par)
        .bind(&acte.motif)
        .bind(caisse.0)
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .db()?;
        if let Some(row) = ended {
            return surveillance(row).map(Ok);
        }
        Ok(Err(
            if ligne_de_la_caisse(&self.pool, "surveillances", caisse, id).await? {
                FinRefusee::DejaFinie
            } else {
                FinRefusee::Inconnue
            },
        ))
    }

    async fn surveillances(&self, caisse: CaisseId) -> Result<Vec<SurveillanceRecord>, StoreError> {
        let rows: Vec<SurveillanceRow> = sqlx::query_as(&format!(
            "SELECT {SURVEILLANCE_COLUMNS} FROM surveillances WHERE caisse_id = $1 ORDER BY id DESC"
        ))
        .bind(caisse.0)
        .fetch_all(&self.pool)
        .await
        .db()?;
        rows.into_iter().map(surveillance).collect()
    }
}
