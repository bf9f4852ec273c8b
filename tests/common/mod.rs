//! Test fixture: the real `docmock` binary on a free loopback port, killed
//! on drop, and the documented example requests of the bundled specs.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::thread;

use docmock::contract::catalog::{Catalog, Endpoint, Source};

/// The repository root, where `specs/` and `fixtures/` live.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The bundled catalog, loaded through the library.
pub fn bundled() -> Catalog {
    Catalog::load(&Source::new(root().join("specs"), None)).expect("bundled specs load")
}

/// A running `docmock serve`.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// Everything printed to stdout after the address line, read in the
    /// background so the pipe never fills.
    output: Option<thread::JoinHandle<String>>,
}

impl Server {
    /// Starts `docmock serve ARGS --port 0` in the repository root and waits
    /// for the address line.
    pub fn start(args: &[&str]) -> Server {
        Server::spawn(args, "docmock=warn")
    }

    /// Starts `docmock serve ARGS --host HOST --port 0`: for the tests of
    /// what binding another address changes. The tests still talk to
    /// 127.0.0.1 only.
    pub fn start_on(host: &str, args: &[&str]) -> Server {
        Server::spawn_on(host, args, "docmock=warn")
    }

    fn spawn(args: &[&str], log_filter: &str) -> Server {
        Server::spawn_on("127.0.0.1", args, log_filter)
    }

    fn spawn_on(host: &str, args: &[&str], log_filter: &str) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_docmock"))
            .arg("serve")
            .args(args)
            .args(["--host", host, "--port", "0"])
            .current_dir(root())
            .env("RUST_LOG", log_filter)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("docmock starts");
        let stdout = child.stdout.take().expect("stdout piped");
        let mut reader = BufReader::new(stdout);
        let mut first = String::new();
        reader.read_line(&mut first).expect("read address line");
        let Some(base) = first.trim().strip_prefix("docmock listening on ") else {
            let mut stderr = String::new();
            if let Some(mut err) = child.stderr.take() {
                let _ = err.read_to_string(&mut stderr);
            }
            let _ = child.kill();
            panic!("docmock did not start: stdout {first:?}, stderr {stderr}");
        };
        let base = base.to_string();
        let output = thread::spawn(move || {
            let mut rest = String::new();
            let _ = reader.read_to_string(&mut rest);
            rest
        });
        Server {
            child,
            base,
            output: Some(output),
        }
    }

    /// The full URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Sends SIGTERM, waits for the process to exit, and returns whether it
    /// exited successfully.
    pub fn terminate(&mut self) -> bool {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.child.wait().map(|s| s.success()).unwrap_or(false)
    }

    /// What the server wrote to stderr (logs); call after it has stopped.
    pub fn stderr(&mut self) -> String {
        let mut text = String::new();
        if let Some(mut err) = self.child.stderr.take() {
            let _ = err.read_to_string(&mut text);
        }
        text
    }

    /// Stops the server and returns what it printed after the address line.
    pub fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.output
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `docmock ARGS` to completion in `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_docmock"))
        .args(args)
        .current_dir(dir)
        .env("RUST_LOG", "docmock=warn")
        .stdin(Stdio::null())
        .output()
        .expect("docmock runs")
}

/// Credentials every dialect accepts: any value for ONLYOFFICE and
/// R7-Office, the Basic scheme for SuperOffice.
pub const CREDENTIALS: &str = "Basic ZG9jbW9jazpkb2Ntb2Nr";

/// reqwest is built without a bundled TLS provider; the tests talk plain
/// HTTP on loopback but the builder still wants one.
fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// An HTTP client that never uses a proxy and sends [`CREDENTIALS`].
pub fn client() -> reqwest::Client {
    install_tls_provider();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        reqwest::header::HeaderValue::from_static(CREDENTIALS),
    );
    reqwest::Client::builder()
        .no_proxy()
        .default_headers(headers)
        .build()
        .expect("client builds")
}

/// An HTTP client that never uses a proxy and sends no credentials.
pub fn anonymous_client() -> reqwest::Client {
    install_tls_provider();
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client builds")
}

/// The documented example request of `endpoint`, mounted under `prefix`,
/// with its `Accept` header replaced by `accept` (removed when `None`).
pub fn example_request(
    client: &reqwest::Client,
    base: &str,
    prefix: &str,
    endpoint: &Endpoint,
    accept: Option<&str>,
) -> reqwest::RequestBuilder {
    let example = endpoint
        .request
        .as_ref()
        .expect("documented example request");
    let url = format!("{base}{prefix}{}", example.target);
    let method = reqwest::Method::from_bytes(endpoint.method.as_str().as_bytes()).expect("method");
    let mut builder = client.request(method, url);
    for (name, value) in &example.headers {
        if name.eq_ignore_ascii_case("host") || name.eq_ignore_ascii_case("accept") {
            continue;
        }
        builder = builder.header(name.as_str(), value.as_str());
    }
    if let Some(accept) = accept {
        builder = builder.header("Accept", accept);
    }
    if let Some(body) = &example.body {
        builder = builder.body(body.to_vec());
    }
    builder
}

/// A scratch copy of the bundled `specs/` and `fixtures/`, to break on purpose.
pub fn scratch_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for part in ["specs", "fixtures"] {
        copy_dir(&root().join(part), &dir.path().join(part));
    }
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("readdir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// Runs `docmock ARGS` in `dir`, killing it if it has not exited within
/// ten seconds (a `serve` that should have refused to start).
pub fn run_to_exit(dir: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_docmock"))
        .args(args)
        .current_dir(dir)
        .env("RUST_LOG", "docmock=warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("docmock runs");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while child.try_wait().expect("wait").is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let output = child.wait_with_output().expect("output");
            panic!(
                "docmock {args:?} did not exit: stdout {}",
                String::from_utf8_lossy(&output.stdout)
            );
        }
        thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

impl Server {
    /// Like [`Server::start`], with logs at info level kept on stderr.
    pub fn start_logging(args: &[&str]) -> Server {
        Server::spawn(args, "docmock=info")
    }
}

/// The path of `command` from the PyPI package `package`, installed once
/// into a virtual environment under the build's temporary directory.
pub fn python_tool(package: &str, command: &str) -> PathBuf {
    let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("python-tools");
    let tool = venv.join("bin").join(command);
    if tool.exists() {
        return tool;
    }
    let created = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .expect("python3 runs");
    assert!(created.success(), "python3 -m venv failed");
    let installed = Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "--disable-pip-version-check", package])
        .status()
        .expect("pip runs");
    assert!(installed.success(), "pip install {package} failed");
    tool
}

/// A spec directory of `count` generated ONLYOFFICE endpoints (API `bench`
/// at `/bench`), each the bundled contact-status endpoint on a path of its
/// own, `PUT /bench/api/2.0/crm/area{i % 50}/entity{i}/{contactid}/status`
/// (endpoint `bench/e{i}`), all sharing one set of fixtures.
pub fn generated_specs(count: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let (specs, fixtures) = (dir.path().join("specs/bench"), dir.path().join("fixtures"));
    std::fs::create_dir_all(&specs).expect("mkdir");
    copy_dir(
        &root().join("fixtures/onlyoffice/put-crm-contact-contactid-status"),
        &fixtures.join("bench/shared"),
    );
    std::fs::write(
        specs.join("api.json"),
        r#"{"name": "bench", "title": "Generated", "dialect": "onlyoffice", "prefix": "/bench"}"#,
    )
    .expect("write");
    let text = std::fs::read_to_string(
        root().join("specs/onlyoffice/put-crm-contact-contactid-status.json"),
    )
    .expect("read");
    let mut spec: serde_json::Value = serde_json::from_str(&text).expect("json");
    spec["request"]["body"] = "bench/shared/request.json".into();
    spec["responses"][0]["json"] = "bench/shared/response-200.json".into();
    spec["responses"][0]["xml"] = "bench/shared/response-200.xml".into();
    for i in 0..count {
        let path = format!("/api/2.0/crm/area{}/entity{i}/{{contactid}}/status", i % 50);
        spec["request"]["target"] = path.replace("{contactid}", "1234").into();
        spec["path"] = path.into();
        std::fs::write(specs.join(format!("e{i}.json")), spec.to_string()).expect("write");
    }
    dir
}

/// Sends `PUT target` with a body of `size` spaces to `address`
/// (`127.0.0.1:PORT`), writing all of it before reading anything, as
/// Python's `urllib` and Node's `fetch` do; the answer as text, or where
/// sending or reading failed.
pub fn put_whole_body_then_read(
    address: &str,
    target: &str,
    size: usize,
) -> Result<String, String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).map_err(|e| format!("connect: {e}"))?;
    let limit = Some(std::time::Duration::from_secs(30));
    stream.set_read_timeout(limit).map_err(|e| e.to_string())?;
    stream.set_write_timeout(limit).map_err(|e| e.to_string())?;
    let head = format!(
        "PUT {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: t\r\n\
         Content-Type: application/json\r\nContent-Length: {size}\r\n\r\n"
    );
    stream
        .write_all(head.as_bytes())
        .map_err(|e| format!("writing the head: {e}"))?;
    let chunk = vec![b' '; 64 * 1024];
    let mut left = size;
    while left > 0 {
        let n = left.min(chunk.len());
        stream
            .write_all(&chunk[..n])
            .map_err(|e| format!("writing the body, {} bytes in: {e}", size - left))?;
        left -= n;
    }
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&answer).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head.lines().find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length: ")
                    .and_then(|n| n.trim().parse::<usize>().ok())
            });
            if length.is_some_and(|length| body.len() >= length) {
                return Ok(text);
            }
        }
        match stream.read(&mut buffer) {
            Ok(0) => return Err(format!("closed after {text:?}")),
            Ok(n) => answer.extend_from_slice(&buffer[..n]),
            Err(e) => return Err(format!("reading the answer after {text:?}: {e}")),
        }
    }
}
