//! `hicp serve`, `hicp healthcheck` and `hicp user add` through the built binary: the demo
//! starts and says how to sign in, the health check sees it, SIGTERM stops it cleanly and the
//! demo's scratch database is gone; an empty database prints a setup link; `user add` reads the
//! password from standard input.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};

use hicp_store::testing::TestDatabase;

fn hicp() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hicp"));
    command
        .env_remove("HICP_CATALOG")
        .env_remove("HICP_DATABASE_URL");
    command
}

/// Starts `hicp serve ARGS` on a free port and reads its standard output up to and including
/// the line that holds `until`; returns the child, the lines and the address.
fn serve(args: &[&str], until: &str) -> (Child, Vec<String>, String) {
    let mut child = hicp()
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("hicp serve starts");
    let stdout = child.stdout.take().expect("standard output");
    let mut lines = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("a line");
        let done = line.contains(until);
        lines.push(line);
        if done {
            break;
        }
    }
    let address = lines
        .iter()
        .find_map(|line| line.strip_prefix("hicp is listening on http://"))
        .unwrap_or_else(|| panic!("the address is printed: {lines:?}"))
        .to_string();
    (child, lines, address)
}

fn terminate(child: &mut Child) -> std::process::ExitStatus {
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    child.wait().expect("hicp serve exits")
}

#[test]
fn the_demo_starts_answers_and_stops_cleanly() {
    let (mut child, lines, address) = serve(&["--demo"], "auditor@demo.hicp.invalid");
    let text = lines.join("\n");
    assert!(text.contains("Maple Street Family Medicine"), "{text}");
    assert!(text.contains("admin@demo.hicp.invalid  (admin)"), "{text}");
    assert!(text.contains("with the password demo-"), "{text}");
    let health = hicp()
        .args(["healthcheck", "--bind", &address])
        .output()
        .expect("healthcheck runs");
    assert!(
        health.status.success(),
        "{}",
        String::from_utf8_lossy(&health.stderr)
    );
    let status = terminate(&mut child);
    assert!(
        status.success(),
        "SIGTERM ends the server cleanly: {status:?}"
    );
    let demo_dir = std::env::temp_dir().join(format!("hicp-demo-{}", child.id()));
    assert!(!demo_dir.exists(), "the demo database is removed");
    let after = hicp()
        .args(["healthcheck", "--bind", &address])
        .output()
        .expect("healthcheck runs");
    assert!(!after.status.success(), "nothing answers after shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_database_prints_a_setup_link_and_user_add_makes_an_account() {
    let db = TestDatabase::create(hicp_store::Backend::Sqlite)
        .await
        .expect("a test database");
    let (mut child, lines, _) = serve(&["--database-url", db.url()], "/setup/");
    let link = lines
        .iter()
        .find(|line| line.contains("/setup/hicp_setup_"));
    assert!(link.is_some(), "{lines:?}");
    assert!(terminate(&mut child).success());

    let mut add = hicp()
        .args([
            "user",
            "add",
            "lead@example.org",
            "--name",
            "Security lead",
            "--role",
            "admin",
            "--database-url",
            db.url(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hicp user add starts");
    add.stdin
        .take()
        .expect("standard input")
        .write_all(b"a long enough password\n")
        .expect("the password is written");
    let output = add.wait_with_output().expect("hicp user add ends");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let store = db.open().await.expect("the database opens");
    let credentials = store
        .credentials("LEAD@example.org")
        .await
        .expect("the store answers")
        .expect("the account exists");
    assert!(
        credentials
            .password_hash
            .is_some_and(|hash| hash.starts_with("$argon2id$"))
    );
    assert!(
        credentials.user.is_admin,
        "--role admin without --org makes an instance administrator"
    );

    let mut short = hicp()
        .args([
            "user",
            "add",
            "other@example.org",
            "--database-url",
            db.url(),
        ])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hicp user add starts");
    short
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"short\n")
        .expect("written");
    let output = short.wait_with_output().expect("ends");
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("at least 12 characters"));
}
