//! HB-8 (002:4): an agent with no login for nine full months is deactivated by the daily tick, traced; his
//! login is then refused like any wrong credential.

use crate::helpers::*;
use chrono::{Duration, Months};
use partage_app::{App, Settings};
use reqwest::StatusCode;
use std::sync::Arc;

#[tokio::test]
async fn hb_8_nine_full_months_without_login_deactivate_the_agent() {
    let app = spawn_app().await;
    app.agent_ready().await; // logged in at t0
    let tick = App::new(
        app.store.clone(),
        Arc::new(app.clock.clone()),
        Settings::default(),
    )
    .await
    .unwrap();

    // One second short of nine calendar months: nothing.
    let neuf_mois = t0().checked_add_months(Months::new(9)).unwrap();
    app.clock.advance(neuf_mois - t0() - Duration::seconds(1));
    assert_eq!(tick.desactiver_dormants().await.unwrap(), 0);

    app.clock.advance(Duration::seconds(1));
    assert_eq!(tick.desactiver_dormants().await.unwrap(), 1);
    assert_eq!(tick.desactiver_dormants().await.unwrap(), 0, "once");
    let traces = app.traces().await;
    let t = &traces.last().unwrap().trace;
    assert_eq!(t.action.code(), "desactivation_inactivite");
    assert_eq!(
        (t.utilisateur.as_deref(), t.partenaire.as_deref()),
        (Some(AGENT), Some("T07"))
    );

    // Refused like a wrong password: nobody learns the account exists but is disabled.
    let attendu = answer(app.login(CAISSE, AGENT, "pas le bon mot de passe").await).await;
    let res = app.login(CAISSE, AGENT, NOUVEAU_MDP).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(answer(res).await, attendu);
}
