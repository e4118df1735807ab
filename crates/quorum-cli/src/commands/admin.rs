//! The administration commands: `quorum token` (principals and their tokens), `quorum keys`
//! (the signing key) and `quorum types` (the workflow-type registry).

use anyhow::{Context, bail};
use quorum_domain::{PrincipalKind, Role};
use quorum_service::{NewPrincipal, ServiceError, auth};
use serde_json::Value;

use super::open;
use crate::settings::{KeysCommand, Settings, TokenCommand, TypesCommand};

pub(super) async fn token(settings: &Settings, command: TokenCommand) -> anyhow::Result<()> {
    let quorum = open(settings, None, false).await?;
    let admin = auth::admin_principal();
    let (principal, kind, roles, name) = match command {
        TokenCommand::Create {
            principal,
            kind,
            roles,
            name,
        } => (principal, kind, roles, name),
        TokenCommand::Revoke { principal } => {
            let revoked = quorum.revoke_tokens(&admin, &principal).await?;
            println!(
                "revoked {} token(s) of {principal}; its dashboard sessions have ended",
                revoked.revoked_tokens
            );
            return Ok(());
        }
    };
    let exists = quorum.principal(&principal).await.is_ok();
    let token = if exists {
        quorum.create_token(&admin, &principal).await?
    } else {
        let Some(kind) = kind else {
            bail!(
                "there is no principal {principal:?}; pass --kind agent|user (and --roles) to create it"
            );
        };
        let kind = PrincipalKind::parse(&kind).context("--kind must be agent or user")?;
        let roles = roles
            .iter()
            .map(|r| {
                Role::parse(r).with_context(|| {
                    format!("unknown role {r:?}: use admin, agent, member or viewer")
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let new = NewPrincipal {
            id: principal.clone(),
            kind,
            roles: (!roles.is_empty()).then_some(roles),
            name,
        };
        quorum
            .create_principal(&admin, new)
            .await
            .map_err(describe)?
            .token
    };
    println!("{token}");
    eprintln!("token for {principal}: shown once, keep it safe");
    Ok(())
}

pub(super) async fn keys(settings: &Settings, command: KeysCommand) -> anyhow::Result<()> {
    let quorum = open(settings, None, false).await?;
    match command {
        KeysCommand::Rotate => {
            let rotated = quorum.keys().rotate().await?;
            println!("{} is the current signing key", rotated.current);
            for (id, until) in rotated.retired {
                println!(
                    "{id} is retired and opens what it sealed until {}",
                    until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                );
            }
        }
    }
    Ok(())
}

pub(super) async fn types(settings: &Settings, command: TypesCommand) -> anyhow::Result<()> {
    let quorum = open(settings, None, false).await?;
    match command {
        TypesCommand::List => {
            println!(
                "{:<28} {:>7} {:<10} {:<11} name",
                "id", "version", "domain", "executable"
            );
            for t in quorum.registry().list().await? {
                let text = |key: &str| {
                    t.definition
                        .get(key)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned()
                };
                println!(
                    "{:<28} {:>7} {:<10} {:<11} {}",
                    t.id,
                    t.version,
                    text("domain"),
                    if t.executable { "yes" } else { "not yet" },
                    text("name")
                );
            }
        }
        TypesCommand::Show { id, version } => {
            let compiled = quorum
                .registry()
                .get(&id, version)
                .await
                .map_err(describe)?;
            println!(
                "{}",
                serde_json::to_string_pretty(&compiled.record.definition)?
            );
        }
        TypesCommand::Register { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let definition: Value = if file.extension().is_some_and(|e| e == "toml") {
                toml::from_str(&text)
                    .with_context(|| format!("{} is not valid TOML", file.display()))?
            } else {
                serde_json::from_str(&text)
                    .with_context(|| format!("{} is not valid JSON", file.display()))?
            };
            let record = quorum
                .registry()
                .register(&auth::admin_principal(), definition)
                .await
                .map_err(describe)?
                .record;
            println!("registered {} version {}", record.id, record.version);
        }
    }
    Ok(())
}

/// A service error as a readable multi-line message, details included.
fn describe(e: ServiceError) -> anyhow::Error {
    match e {
        ServiceError::Invalid { message, details }
        | ServiceError::BadRequest { message, details } => {
            let lines: Vec<String> = details
                .iter()
                .map(|d| format!("  {}: {} ({})", d.field, d.message, d.rule))
                .collect();
            anyhow::anyhow!("{message}\n{}", lines.join("\n"))
        }
        other => anyhow::anyhow!(other),
    }
}
