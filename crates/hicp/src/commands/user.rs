//! `hicp user add EMAIL`: create an account from a script or the server's own machine (the
//! command-line twin of the setup link). The password is read from standard input, never
//! from an argument, where other users of the machine could see it.

use std::io::{BufRead as _, IsTerminal as _};
use std::process::ExitCode;

use anyhow::Context as _;
use hicp_store::Role;

use super::{DatabaseArg, local_actor};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: UserCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum UserCommand {
    /// Create an account; with --org, give it a role in that organization; `--role admin`
    /// without --org makes an instance administrator (who may create organizations).
    Add(AddArgs),
}

#[derive(clap::Args, Debug)]
pub struct AddArgs {
    pub email: String,
    /// The name shown to colleagues; default: the email.
    #[arg(long)]
    pub name: Option<String>,
    /// The role in --org: admin, assessor, contributor, viewer or auditor. Without --org only
    /// `admin`, which makes the account an instance administrator.
    #[arg(long, value_parser = parse_role)]
    pub role: Option<Role>,
    /// The organization (id or exact name) the role is in.
    #[arg(long, requires = "role")]
    pub org: Option<String>,
    #[command(flatten)]
    pub database: DatabaseArg,
}

fn parse_role(text: &str) -> Result<Role, String> {
    text.parse()
        .map_err(|e: hicp_store::UnknownWord| e.to_string())
}

fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return rpassword::prompt_password("Password (at least 12 characters): ")
            .context("reading the password");
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        UserCommand::Add(args) => add(args).await,
    }
}

async fn add(args: AddArgs) -> anyhow::Result<ExitCode> {
    if args.org.is_none() && args.role.is_some_and(|role| role != Role::Admin) {
        anyhow::bail!(
            "a role other than admin is a role in an organization: add --org ORG (id or exact name)"
        );
    }
    let password = read_password()?;
    let hash = hicp_server::password::hash(password).await?;
    let actor = local_actor();
    args.database
        .with_store(async |store| {
            let organization = match &args.org {
                Some(key) => Some(store.find_organization(key).await?),
                None => None,
            };
            let name = args.name.as_deref().unwrap_or(&args.email);
            let user = store
                .create_user(&actor, &args.email, name, Some(&hash))
                .await?;
            match (&organization, args.role) {
                (Some(organization), Some(role)) => {
                    store
                        .set_membership(&actor, organization.id, user.id, role)
                        .await?;
                    println!("created {} ({role} of {})", user.email, organization.name);
                }
                (None, Some(_)) => {
                    store.set_user_admin(&actor, user.id, true).await?;
                    println!("created {} (instance administrator)", user.email);
                }
                _ => println!("created {}", user.email),
            }
            Ok(ExitCode::SUCCESS)
        })
        .await
}
