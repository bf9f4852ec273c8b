//! docmock in a real browser: headless Chromium (Debian's package,
//! installed by `tests/browser/install-chromium.sh` when missing) loads a
//! page from another loopback origin that calls the mock with `fetch`, an
//! `Authorization` header and a JSON body, and reads the JSON and XML replies;
//! and it renders the admin page, checked by screenshot and by its DOM.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::{Server, anonymous_client, client};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Chromium's path, installed once per test run when missing (the tests
/// in this file share it, so two never run the installer at once).
fn chromium() -> PathBuf {
    static CHROMIUM: OnceLock<PathBuf> = OnceLock::new();
    CHROMIUM.get_or_init(find_or_install).clone()
}

fn find_or_install() -> PathBuf {
    let found = || {
        ["chromium", "chromium-browser"].iter().find_map(|name| {
            Command::new("sh")
                .args(["-c", &format!("command -v {name}")])
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        })
    };
    if let Some(path) = found() {
        return path;
    }
    let script = common::root().join("tests/browser/install-chromium.sh");
    let status = Command::new("bash")
        .arg(&script)
        .status()
        .expect("the install script runs");
    assert!(
        status.success(),
        "installing Chromium failed; run {} as root",
        script.display()
    );
    found().expect("chromium installed")
}

/// Runs headless Chromium with `args` on `url`, bounded in time; stdout.
fn headless(profile: &Path, args: &[&str], url: &str) -> String {
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(90);
    while child.try_wait().expect("wait").is_none() {
        assert!(Instant::now() < deadline, "chromium did not finish");
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().expect("output");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Serves `page` as the only document of a second loopback origin.
async fn page_origin(page: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                continue;
            };
            let page = page.clone();
            tokio::spawn(async move {
                let mut request = [0u8; 2048];
                let _ = stream.read(&mut request).await;
                let reply = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                    page.len()
                );
                let _ = stream.write_all(reply.as_bytes()).await;
            });
        }
    });
    format!("http://{address}/")
}

fn element_text(dom: &str, id: &str) -> String {
    let start = format!("id=\"{id}\">");
    dom.split_once(&start)
        .and_then(|(_, rest)| rest.split_once('<'))
        .map(|(text, _)| text.replace("&quot;", "\""))
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_from_another_origin_reads_json_and_xml_with_credentials_and_a_body() {
    let server = Server::start(&[]);
    let page = format!(
        r#"<!doctype html><html><body><pre id="out">pending</pre><script>
(async () => {{
  try {{
    const base = "{base}";
    const put = await fetch(base + "/onlyoffice/api/2.0/crm/contact/1234/status", {{
      method: "PUT",
      headers: {{"Authorization": "browser-token", "Content-Type": "application/json", "Accept": "application/json"}},
      body: JSON.stringify({{contactStatusid: 1234}})
    }});
    const json = await put.json();
    const get = await fetch(base + "/r7/api/2.0/crm/contact/1234.xml", {{
      headers: {{"Authorization": "browser-token", "Accept": "application/xml"}}
    }});
    const xml = new DOMParser().parseFromString(await get.text(), "application/xml");
    document.getElementById("out").textContent = JSON.stringify({{
      put: put.status, json: json.response.DisplayName,
      get: get.status, xml: xml.querySelector("response > firstName").textContent
    }});
  }} catch (e) {{ document.getElementById("out").textContent = "error: " + e; }}
}})();
</script></body></html>"#,
        base = server.base
    );
    let origin = page_origin(page).await;
    let profile = tempfile::tempdir().expect("profile");
    let dom = tokio::task::spawn_blocking({
        let profile = profile.path().to_path_buf();
        move || {
            headless(
                &profile,
                &["--virtual-time-budget=10000", "--dump-dom"],
                &origin,
            )
        }
    })
    .await
    .expect("chromium ran");
    let out = element_text(&dom, "out");
    assert_eq!(
        out, r#"{"put":200,"json":"Tadjeddine Bachir","get":200,"xml":"Tadjeddine"}"#,
        "{dom}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_page_shows_routes_and_the_live_journal() {
    let server = Server::start(&[]);
    let http = client();
    http.get(server.url("/r7/api/2.0/crm/contact/1234.json"))
        .send()
        .await
        .expect("sent");
    http.put(server.url("/onlyoffice/api/2.0/crm/contact/1234/status.json"))
        .header("Content-Type", "application/json")
        .body(r#"{"contactStatusid": "abc"}"#)
        .send()
        .await
        .expect("sent");
    let admin = server.url("/__docmock/");
    let profile = tempfile::tempdir().expect("profile");
    let shot = profile.path().join("admin.png");
    let (dom, png) = tokio::task::spawn_blocking({
        let (profile, shot) = (profile.path().join("profile"), shot.clone());
        move || {
            let dom = headless(
                &profile,
                &["--virtual-time-budget=3000", "--dump-dom"],
                &admin,
            );
            let screenshot = format!("--screenshot={}", shot.display());
            headless(
                &profile,
                &[
                    "--virtual-time-budget=3000",
                    "--window-size=1280,900",
                    &screenshot,
                ],
                &admin,
            );
            (dom, std::fs::read(&shot).unwrap_or_default())
        }
    })
    .await
    .expect("chromium ran");
    // The page rendered both tables from the admin API.
    assert!(dom.contains("r7/get-crm-contact-contactid"), "{dom}");
    assert!(dom.contains("003_9006d2fa00f33062.txt"), "{dom}");
    assert!(
        dom.contains("invalid") && dom.contains("/contactStatusid"),
        "{dom}"
    );
    // The screenshot is a 1280×900 PNG with something drawn on it.
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    let width = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
    let height = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
    assert_eq!((width, height), (1280, 900));
    assert!(
        png.len() > 20_000,
        "a blank page compresses to far less: {} bytes",
        png.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_page_groups_3000_routes_by_api_and_filters_them() {
    let specs = common::generated_specs(3000);
    let server = Server::start(&["--specs", &specs.path().join("specs").display().to_string()]);
    let profile = tempfile::tempdir().expect("profile");
    let (whole, filtered) = tokio::task::spawn_blocking({
        let profile = profile.path().to_path_buf();
        let (whole, filtered) = (
            server.url("/__docmock/"),
            server.url("/__docmock/?filter=PUT%20entity2999/"),
        );
        move || {
            let dump = |url: &str| {
                let started = Instant::now();
                let dom = headless(&profile, &["--virtual-time-budget=3000", "--dump-dom"], url);
                (dom, started.elapsed())
            };
            (dump(&whole), dump(&filtered))
        }
    })
    .await
    .expect("chromium ran");
    // Unfiltered, the group shows its count and stays closed: no route
    // rows are built, so the page stays small.
    let (dom, took) = whole;
    assert!(dom.contains(r#"data-api="bench""#), "{dom}");
    assert!(dom.contains("3001 routes (PUT 3000, POST 1)"), "{dom}");
    assert!(!dom.contains("bench/e2999"), "{dom}");
    assert!(dom.len() < 100_000, "{} bytes of DOM", dom.len());
    assert!(took < Duration::from_secs(30), "{took:?}");
    // `?filter=` fills the box: every word must match, so one route shows.
    let (dom, _) = filtered;
    assert!(dom.contains("1 of 3001 match"), "{dom}");
    assert!(dom.contains("bench/e2999"), "{dom}");
    assert!(!dom.contains("bench/e2998"), "{dom}");
    assert_eq!(
        dom.matches(r#"<td class="method">PUT</td>"#).count(),
        1,
        "{dom}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_page_takes_the_token_from_its_address_and_sends_it() {
    let server = Server::start(&["--token", "s3cret"]);
    let http = anonymous_client();
    http.get(server.url("/r7/api/2.0/crm/contact/1234.json"))
        .header("Authorization", "s3cret")
        .send()
        .await
        .expect("sent");
    let admin = server.url("/__docmock/#token=s3cret");
    let profile = tempfile::tempdir().expect("profile");
    let dom = tokio::task::spawn_blocking({
        let profile = profile.path().join("profile");
        move || {
            headless(
                &profile,
                &["--virtual-time-budget=3000", "--dump-dom"],
                &admin,
            )
        }
    })
    .await
    .expect("chromium ran");
    // Both the routes and the journal came through the guarded API.
    assert!(dom.contains("r7/get-crm-contact-contactid"), "{dom}");
    assert!(dom.contains("/r7/api/2.0/crm/contact/1234.json"), "{dom}");
}
