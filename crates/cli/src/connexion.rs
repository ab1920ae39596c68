//! The commands that act as a named staff member (`partage habilitations`, `partage conventions creer` and
//! `attester`): they log him in like the back office does (password from `PARTAGE_MOT_DE_PASSE`, or the
//! first line of standard input; his one-time code with `--code-totp` when his caisse requires one), act as
//! him through the back office's own use cases — his role checked, each act traced under his name — and
//! log him out. A failed login is traced and counted like any staff login failure.
//!
//! A staff member still on the temporary password he was given (AU-2) replaces it first when the command
//! is given the new one in `PARTAGE_NOUVEAU_MOT_DE_PASSE`: the back office's own change, its rules and its
//! trace; without it the command is refused as the back office would, and says how to give it.

use partage_app::personnel::Staff;
use partage_app::{App, AppError};
use secrecy::{ExposeSecret, SecretString};
use std::process::ExitCode;

/// The source recorded in the traces of what a command does.
pub const SOURCE: &str = "cli";

/// Who the command acts as.
#[derive(Debug, Clone, clap::Args)]
pub struct PersonnelArgs {
    /// Identifiant du membre du personnel au nom duquel agir (il doit détenir le rôle que l'action exige) ;
    /// son mot de passe est lu dans PARTAGE_MOT_DE_PASSE, sinon sur la première ligne de l'entrée standard.
    #[arg(long = "personnel")]
    pub personnel: String,
    /// Code à usage unique de son second facteur, si sa caisse l'exige.
    #[arg(long)]
    pub code_totp: Option<String>,
}

fn mot_de_passe() -> anyhow::Result<SecretString> {
    if let Ok(m) = std::env::var("PARTAGE_MOT_DE_PASSE") {
        return Ok(SecretString::from(m));
    }
    let mut ligne = String::new();
    std::io::stdin().read_line(&mut ligne)?;
    Ok(SecretString::from(
        ligne.trim_end_matches(['\r', '\n']).to_owned(),
    ))
}

/// Logs the staff member in on the caisse's entrance and opens his session; the refusal (wrong password,
/// missing code, locked account…) as the back office answers it.
async fn connecter(app: &App, caisse: &str, args: &PersonnelArgs) -> anyhow::Result<Result<Staff, AppError>> {
    let mdp = mot_de_passe()?;
    let outcome = match app
        .login_personnel(
            caisse,
            &args.personnel,
            mdp.clone(),
            args.code_totp.as_deref(),
            SOURCE,
        )
        .await
    {
        Ok(o) => o,
        Err(e) => return Ok(Err(e)),
    };
    let jeton = outcome.jeton.expose_secret();
    let staff = match app.authenticate_personnel(jeton, SOURCE).await {
        Ok(s) => s,
        Err(e) => return Ok(Err(e)),
    };
    if !staff.personnel.must_change_password {
        return Ok(Ok(staff));
    }
    let Ok(nouveau) = std::env::var("PARTAGE_NOUVEAU_MOT_DE_PASSE") else {
        eprintln!(
            "partage : {} doit d'abord remplacer son mot de passe provisoire : donnez le nouveau dans \
             PARTAGE_NOUVEAU_MOT_DE_PASSE",
            args.personnel
        );
        // The use case refuses and traces it, as on the back office.
        return Ok(Ok(staff));
    };
    if let Err(e) = app
        .change_password_personnel(&staff, mdp, SecretString::from(nouveau), SOURCE)
        .await
    {
        // The session opened for nothing ends here.
        app.logout_personnel(&staff, SOURCE).await?;
        return Ok(Err(e));
    }
    Ok(app.authenticate_personnel(jeton, SOURCE).await)
}

/// Logs the staff member in, runs `acte` as him, logs him out, and prints what it returned (one line
/// each) or its refusal in French with its code.
#[allow(clippy::print_stdout)] // The lines are the command's output.
pub async fn en_tant_que<F>(
    app: &App,
    caisse: &str,
    args: &PersonnelArgs,
    acte: impl FnOnce(Staff) -> F,
) -> anyhow::Result<ExitCode>
where
    F: std::future::Future<Output = Result<Vec<String>, AppError>>,
{
    let staff = match connecter(app, caisse, args).await? {
        Ok(s) => s,
        Err(e) => {
            eprintln!("partage : {e} ({})", e.code());
            return Ok(ExitCode::FAILURE);
        }
    };
    let outcome = acte(staff.clone()).await;
    let fin = app.logout_personnel(&staff, SOURCE).await;
    match outcome {
        Ok(lignes) => {
            for l in lignes {
                println!("{l}");
            }
            fin.map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("partage : {e} ({})", e.code());
            Ok(ExitCode::FAILURE)
        }
    }
}
