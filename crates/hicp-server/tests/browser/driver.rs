//! Finding Chromium and chromedriver, and running one chromedriver per browser on a free
//! loopback port. Dropping the [`Driver`] asks chromedriver to shut down, which also ends the
//! browsers it started: killing it outright would leave Chromium running.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::Failure;

/// Set to `required` (CI does) to turn a missing browser into a failure instead of a skip.
pub const REQUIRED_VARIABLE: &str = "HICP_BROWSER_TESTS";

/// The two programs a browser test needs.
pub struct Programs {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

impl Programs {
    /// Chromium and chromedriver from `HICP_CHROMIUM` / `HICP_CHROMEDRIVER`, else from `PATH`;
    /// the error names what is missing.
    pub fn find() -> Result<Programs, String> {
        let chromium = program(
            "HICP_CHROMIUM",
            &["chromium", "chromium-browser", "google-chrome"],
        );
        let chromedriver = program("HICP_CHROMEDRIVER", &["chromedriver"]);
        match (chromium, chromedriver) {
            (Some(chromium), Some(chromedriver)) => Ok(Programs {
                chromium,
                chromedriver,
            }),
            (chromium, chromedriver) => {
                let missing: Vec<&str> = [
                    chromium.is_none().then_some("chromium"),
                    chromedriver.is_none().then_some("chromedriver"),
                ]
                .into_iter()
                .flatten()
                .collect();
                Err(format!(
                    "{} not found (Debian: apt-get install chromium chromium-driver)",
                    missing.join(" and ")
                ))
            }
        }
    }
}

fn program(variable: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(variable) {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// A running chromedriver.
pub struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    pub fn start(chromedriver: &Path) -> Result<Driver, Failure> {
        // A port picked free can be taken before chromedriver binds it; try a few.
        let mut last = String::new();
        for _ in 0..3 {
            let port = free_port()?;
            let child = Command::new(chromedriver)
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| Failure::Setup(format!("{}: {e}", chromedriver.display())))?;
            let mut driver = Driver { child, port };
            match driver.wait_ready() {
                Ok(()) => return Ok(driver),
                Err(problem) => last = problem,
            }
        }
        Err(Failure::Setup(format!(
            "chromedriver did not start: {last}"
        )))
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("it exited with {status}"));
            }
            if let Ok(answer) = self.request("GET", "/status")
                && answer.contains("\"ready\":true")
            {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err("it did not answer on its port within 10 s".to_string())
    }

    /// A bare HTTP/1.1 request, blocking: usable from `Drop`, where nothing can be awaited.
    /// Returns the body. chromedriver keeps the connection open whatever the request asks, so
    /// the body is read to its `Content-Length`, not to the end of the stream.
    fn request(&self, method: &str, path: &str) -> std::io::Result<String> {
        let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            self.port
        )?;
        let mut answer = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let read = stream.read(&mut chunk)?;
            if read == 0 {
                break;
            }
            answer.extend_from_slice(&chunk[..read]);
            let text = String::from_utf8_lossy(&answer);
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let length = head.lines().find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())
                        .flatten()
                });
                if length.is_some_and(|length| body.len() >= length) {
                    return Ok(body.to_string());
                }
            }
        }
        Ok(String::from_utf8_lossy(&answer).into_owned())
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // `/shutdown` quits the browsers of every session, then chromedriver itself.
        let _ = self.request("GET", "/shutdown");
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16, Failure> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|e| Failure::Setup(format!("no free loopback port: {e}")))
}
