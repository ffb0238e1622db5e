//! `hicp serve`: start the server a team shares; `hicp healthcheck`: ask a running one whether
//! it answers.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use hicp_server::{AppState, ServerConfig};

use super::{CatalogArg, DatabaseArg, today};

/// `--bind ADDR`: where the server listens, for `serve` and `healthcheck` alike.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct BindArg {
    /// Address and port the server listens on.
    #[arg(
        long = "bind",
        value_name = "ADDR",
        default_value = "127.0.0.1:8080",
        env = "HICP_BIND"
    )]
    pub address: SocketAddr,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub bind: BindArg,
    /// Data directory for the embedded SQLite database (hicp.sqlite3 in it); ignored with
    /// --database-url.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(flatten)]
    pub database: DatabaseArg,
    #[command(flatten)]
    pub catalog: CatalogArg,
    /// A TLS-terminating proxy in front sets X-Forwarded-Proto and X-Forwarded-For: trust them
    /// (cookies become Secure over HTTPS; sign-in throttling counts the client's address).
    #[arg(long, env = "HICP_BEHIND_PROXY")]
    pub behind_proxy: bool,
    /// Load the three example organizations and one demo account per role. Without
    /// --database-url or --data-dir the demo uses a fresh database that is removed on exit.
    #[arg(long)]
    pub demo: bool,
}

#[derive(clap::Args, Debug)]
pub struct HealthArgs {
    #[command(flatten)]
    pub bind: BindArg,
}

/// The database to serve, and a folder to remove when the server stops (a demo's own).
fn database(args: &Args) -> anyhow::Result<(DatabaseArg, Option<PathBuf>)> {
    if args.database.database_url.is_some() {
        return Ok((args.database.clone(), None));
    }
    let (dir, scratch) = match (&args.data_dir, args.demo) {
        (Some(dir), _) => (dir.clone(), None),
        (None, true) => {
            let dir = std::env::temp_dir().join(format!("hicp-demo-{}", std::process::id()));
            (dir.clone(), Some(dir))
        }
        (None, false) => return Ok((args.database.clone(), None)),
    };
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("creating the data directory {}", dir.display()))?;
    let url = format!("sqlite://{}", dir.join("hicp.sqlite3").display());
    Ok((
        DatabaseArg {
            database_url: Some(url),
        },
        scratch,
    ))
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    init_logging();
    let catalog = args.catalog.load()?;
    let (database, scratch) = database(&args)?;
    let store = database.open().await?;
    let result = serve(&args, store.clone(), catalog).await;
    store.close().await;
    if let Some(dir) = scratch {
        // A demo database is nobody's data: leave nothing behind.
        let _ = std::fs::remove_dir_all(dir);
    }
    result
}

async fn serve(
    args: &Args,
    store: hicp_store::Store,
    catalog: hicp_catalog::Catalog,
) -> anyhow::Result<ExitCode> {
    let config = ServerConfig {
        bind: args.bind.address,
        behind_proxy: args.behind_proxy,
        ..ServerConfig::default()
    };
    let empty = store.count_users().await? == 0;
    let demo = if args.demo {
        anyhow::ensure!(
            empty && store.list_organizations().await?.is_empty(),
            "--demo loads example data only into an empty database; leave out --database-url and --data-dir to use a fresh one"
        );
        Some(hicp_server::demo::load(&store, &catalog, today()).await?)
    } else {
        None
    };
    let lifetime = config.setup_link_lifetime;
    let state = AppState::new(store, catalog, config);
    let shutdown = shutdown_signal()?;
    let listener = tokio::net::TcpListener::bind(args.bind.address)
        .await
        .with_context(|| format!("listening on {}", args.bind.address))?;
    let running = hicp_server::start(state.clone(), listener)?;
    let base = format!("http://{}", running.address);
    let mut out = std::io::stdout().lock();
    writeln!(out, "hicp is listening on {base}")?;
    writeln!(
        out,
        "Open {base}/ in your browser. Stop the server with Ctrl-C."
    )?;
    if let Some(demo) = demo {
        writeln!(out, "Demo organizations: {}", demo.organizations.join(", "))?;
        writeln!(
            out,
            "Sign in as any of these (admin sees everything), with the password {}:",
            demo.password
        )?;
        for (email, role) in hicp_server::demo::DEMO_ACCOUNTS {
            writeln!(out, "  {email}  ({role})")?;
        }
    } else if empty {
        let token = state.setup_token().issue(lifetime)?;
        writeln!(
            out,
            "No account exists yet. Open this link within {} minutes to create the first one (it works once):\n  {base}/setup/{token}\nor run `hicp user add EMAIL` with the password on standard input.",
            lifetime.whole_minutes()
        )?;
    }
    drop(out);
    running.until(shutdown).await?;
    Ok(ExitCode::SUCCESS)
}

/// Ctrl-C, or SIGTERM from a service manager. The handlers are installed when this is called,
/// before the server says it is ready, so a signal sent as soon as the address is printed still
/// ends it gracefully instead of killing it.
fn shutdown_signal() -> anyhow::Result<impl Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
        let mut interrupt = signal(SignalKind::interrupt()).context("listening for ctrl-c")?;
        Ok(async move {
            tokio::select! {
                _ = terminate.recv() => {}
                _ = interrupt.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

/// Structured logs on standard error; `RUST_LOG` chooses what (default: info).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

pub fn healthcheck(args: HealthArgs) -> anyhow::Result<ExitCode> {
    let timeout = Duration::from_secs(5);
    let mut stream = TcpStream::connect_timeout(&args.bind.address, timeout)
        .with_context(|| format!("nothing answers on {}", args.bind.address))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    write!(
        stream,
        "GET /healthz HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        args.bind.address
    )?;
    let mut answer = Vec::new();
    stream.take(4096).read_to_end(&mut answer)?;
    let answer = String::from_utf8_lossy(&answer);
    let status_line = answer.lines().next().unwrap_or_default();
    anyhow::ensure!(
        status_line.split_whitespace().nth(1) == Some("200"),
        "{} answered `{status_line}` instead of 200",
        args.bind.address
    );
    println!("ok: hicp answers on {}", args.bind.address);
    Ok(ExitCode::SUCCESS)
}
