//! The `endorse` command line: serve (the default), migrations, the OpenAPI document,
//! the first staff accounts, key generation and a health probe for containers.
use std::io::{BufRead, IsTerminal};

use clap::{Args, Parser, Subcommand, ValueEnum};
use migration::{Migrator, MigratorTrait};

use crate::{
    config::Config, db, domain::roles::Role, features::accounts::people, features::accounts::people::NewStaff,
    startup::Application,
};

#[derive(Parser)]
#[command(name = "endorse", version, about = "The endorse API service")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve the API (the default).
    Serve,
    /// Apply, roll back or list database migrations.
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Manage staff accounts.
    Admin {
        #[command(subcommand)]
        action: AdminAction,
    },
    /// Manage machine clients (OAuth 2.0 client credentials).
    Client {
        #[command(subcommand)]
        action: ClientAction,
    },
    /// Renewal jobs for cron (idempotent: running one twice changes nothing more).
    Jobs {
        #[command(subcommand)]
        action: JobAction,
    },
    /// Signing keys for access tokens.
    Keys {
        #[command(subcommand)]
        action: KeysAction,
    },
    /// Exit 0 when GET /healthz on this host answers 200 (for container health checks).
    Healthcheck {
        #[arg(long, default_value = "http://127.0.0.1:8080/healthz")]
        url: String,
    },
}

#[derive(Subcommand)]
pub enum MigrateAction {
    /// Apply pending migrations.
    Up,
    /// Roll back the last migration(s).
    Down {
        #[arg(long, default_value_t = 1)]
        steps: u32,
    },
    /// List migrations and whether each is applied.
    Status,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum StaffRole {
    Admin,
    Coordinator,
    Reviewer,
}

#[derive(Subcommand)]
pub enum AdminAction {
    /// Create an active staff account. The password is read from a prompt, or from
    /// the first line of standard input when it is not a terminal; never from an argument.
    Create(CreateStaff),
}

#[derive(Args)]
pub struct CreateStaff {
    #[arg(long)]
    pub email: String,
    /// Affiliate code (e.g. `wa`) or id.
    #[arg(long)]
    pub affiliate: String,
    #[arg(long, default_value = "Endorsement")]
    pub given_name: String,
    #[arg(long, default_value = "Administrator")]
    pub family_name: String,
    /// Roles to grant (repeatable).
    #[arg(long = "role", value_enum, default_values_t = [StaffRole::Admin])]
    pub roles: Vec<StaffRole>,
}

#[derive(Subcommand)]
pub enum ClientAction {
    /// Create a client of an affiliate and print its id and secret (shown once).
    Create {
        /// Affiliate code (e.g. `wa`) or id.
        #[arg(long)]
        affiliate: String,
        #[arg(long)]
        name: String,
        /// Scopes to grant (repeatable), e.g. `--scope renewals:read --scope renewals:write`.
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
    },
}

#[derive(Subcommand)]
pub enum JobAction {
    /// Lapse the endorsements whose renewal period (and late window) is over.
    Lapse(JobArgs),
    /// Send the renewal reminders due today.
    Remind(JobArgs),
    /// Send fresh links to reference raters whose link expires within a week.
    RemindReferences(JobArgs),
    /// Remind candidates of their exam sitting a week ahead.
    RemindExams(JobArgs),
}

#[derive(Args)]
pub struct JobArgs {
    /// Affiliate code or id.
    #[arg(long, default_value = "wa")]
    pub affiliate: String,
    /// Run as of this day (YYYY-MM-DD, the affiliate's today by default).
    #[arg(long)]
    pub today: Option<chrono::NaiveDate>,
}

#[derive(Subcommand)]
pub enum KeysAction {
    /// Print a new Ed25519 private key (PEM) for JWT_SIGNING_KEY.
    Generate,
}

fn read_password() -> Result<String, String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
        let again = rpassword::prompt_password("Repeat password: ").map_err(|e| e.to_string())?;
        if first != again {
            return Err("the passwords differ".into());
        }
        Ok(first)
    } else {
        let mut line = String::new();
        stdin.lock().read_line(&mut line).map_err(|e| e.to_string())?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

pub async fn run(cli: Cli) -> Result<(), String> {
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Openapi = command {
        let json = crate::openapi::document_json().map_err(|e| e.to_string())?;
        print!("{json}");
        return Ok(());
    }
    if let Command::Keys { action: KeysAction::Generate } = command {
        print!("{}", crate::auth::keys::generate_pem()?);
        return Ok(());
    }
    if let Command::Healthcheck { url } = command {
        return healthcheck(&url);
    }
    let config = Config::from_env().map_err(|e| e.to_string())?;
    crate::telemetry::init(config.log_format);
    match command {
        Command::Serve => {
            let app = Application::build(config).await.map_err(|e| e.to_string())?;
            app.run_until_stopped().await.map_err(|e| e.to_string())
        }
        Command::Migrate { action } => {
            let conn = db::migrator_connection(&config.database_url).await.map_err(|e| e.to_string())?;
            match action {
                MigrateAction::Up => Migrator::up(&conn, None).await.map_err(|e| e.to_string())?,
                MigrateAction::Down { steps } => Migrator::down(&conn, Some(steps)).await.map_err(|e| e.to_string())?,
                MigrateAction::Status => {
                    for m in Migrator::get_migration_with_status(&conn).await.map_err(|e| e.to_string())? {
                        println!("{:<10} {}", format!("{:?}", m.status()).to_lowercase(), m.name());
                    }
                }
            }
            Ok(())
        }
        Command::Admin { action: AdminAction::Create(args) } => {
            let password = read_password()?;
            let conn = db::connect(&config).await.map_err(|e| e.to_string())?;
            if config.run_migrations {
                db::migrate_up(&config.database_url).await.map_err(|e| e.to_string())?;
            }
            let roles = args
                .roles
                .iter()
                .map(|r| match r {
                    StaffRole::Admin => Role::Admin,
                    StaffRole::Coordinator => Role::Coordinator,
                    StaffRole::Reviewer => Role::Reviewer,
                })
                .collect();
            let person = people::create_staff(
                &conn,
                NewStaff {
                    email: args.email,
                    affiliate: args.affiliate,
                    given_name: args.given_name,
                    family_name: args.family_name,
                    password,
                    roles,
                },
            )
            .await
            .map_err(|e| {
                let p = e.problem();
                match p.errors {
                    Some(errors) => {
                        errors.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; ")
                    }
                    None => p.detail,
                }
            })?;
            println!("created {} ({})", person.email, person.id);
            Ok(())
        }
        Command::Client { action: ClientAction::Create { affiliate, name, scopes } } => {
            let conn = db::connect(&config).await.map_err(|e| e.to_string())?;
            if config.run_migrations {
                db::migrate_up(&config.database_url).await.map_err(|e| e.to_string())?;
            }
            let scopes = crate::domain::scopes::parse(&scopes.join(" "))?;
            let input = crate::features::accounts::dto::clients::NewClient { name, scopes };
            validator::Validate::validate(&input).map_err(|e| {
                crate::http::extract::flatten_validation(&e)
                    .iter()
                    .map(|f| format!("{}: {}", f.field, f.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            })?;
            let (client, secret) = crate::features::accounts::clients::create(
                &conn,
                &crate::platform::audit::Actor::system(),
                &affiliate,
                None,
                input,
            )
            .await
            .map_err(|e| e.problem().detail)?;
            println!("client_id={}", client.client_id);
            println!("client_secret={secret}");
            println!("scopes={}", client.scopes);
            Ok(())
        }
        Command::Jobs { action } => {
            let conn = db::connect(&config).await.map_err(|e| e.to_string())?;
            if config.run_migrations {
                db::migrate_up(&config.database_url).await.map_err(|e| e.to_string())?;
            }
            let (name, args) = match &action {
                JobAction::Lapse(a) => ("lapse", a),
                JobAction::Remind(a) => ("remind", a),
                JobAction::RemindReferences(a) => ("remind-references", a),
                JobAction::RemindExams(a) => ("remind-exams", a),
            };
            let affiliate =
                crate::platform::tenancy::find(&conn, &args.affiliate).await.map_err(|e| e.problem().detail)?;
            let day = args.today.unwrap_or_else(|| crate::platform::clock::today(&affiliate));
            let links = crate::mail::links::Links::new(&config.frontend_base_url);
            let changed = match name {
                "lapse" => {
                    crate::features::renewals::service::lapse(
                        &conn,
                        &links,
                        &crate::platform::audit::Actor::system(),
                        &affiliate,
                        day,
                    )
                    .await
                }
                "remind-references" | "remind-exams" => {
                    let job = if name == "remind-exams" {
                        crate::features::applications::reminders::Job::ExamReminders
                    } else {
                        crate::features::applications::reminders::Job::ReferenceReminders
                    };
                    crate::features::applications::reminders::run_for(&conn, &links, &affiliate, job, day).await
                }
                _ => crate::features::renewals::service::remind(&conn, &links, &affiliate, day).await,
            }
            .map_err(|e| e.problem().detail)?;
            println!("{name}: {changed} changed ({} as of {day})", affiliate.code);
            Ok(())
        }
        Command::Openapi | Command::Keys { .. } | Command::Healthcheck { .. } => Ok(()),
    }
}

/// A dependency-free HTTP/1.0 probe, so the runtime image needs no curl.
fn healthcheck(url: &str) -> Result<(), String> {
    use std::io::{Read, Write};
    let parsed = url::Url::parse(url).map_err(|e| e.to_string())?;
    let host = parsed.host_str().ok_or("no host")?;
    let port = parsed.port_or_known_default().unwrap_or(80);
    let mut stream = std::net::TcpStream::connect((host, port)).map_err(|e| e.to_string())?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(3))).map_err(|e| e.to_string())?;
    write!(stream, "GET {} HTTP/1.0\r\nHost: {host}\r\n\r\n", parsed.path()).map_err(|e| e.to_string())?;
    let mut response = String::new();
    stream.read_to_string(&mut response).map_err(|e| e.to_string())?;
    if response.starts_with("HTTP/1.1 200") || response.starts_with("HTTP/1.0 200") {
        Ok(())
    } else {
        Err(format!("unhealthy: {}", response.lines().next().unwrap_or("no answer")))
    }
}
