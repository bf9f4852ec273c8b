//! A whole documented API served at once: routes chosen by the type of
//! their path parameters (as the vendors' route constraints choose them),
//! true conflicts refused or, with `--lenient`, skipped with both files
//! named, `check` going on after a conflict, and thousands of routes
//! summarised on the command line and on the admin page.

mod common;

use std::fs;
use std::path::Path;

use common::{Server, client, generated_specs, run_to_exit};
use serde_json::{Value, json};

/// A spec directory written by the test: APIs and endpoints, each
/// endpoint answering a JSON body of its own.
struct SpecDir {
    dir: tempfile::TempDir,
}

impl SpecDir {
    fn new() -> SpecDir {
        SpecDir {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn specs(&self) -> String {
        self.path().join("specs").display().to_string()
    }

    fn api(self, name: &str, dialect: &str) -> SpecDir {
        let dir = self.path().join("specs").join(name);
        fs::create_dir_all(&dir).expect("mkdir");
        let api = json!({"name": name, "title": format!("{name} API"), "dialect": dialect, "prefix": format!("/{name}")});
        fs::write(dir.join("api.json"), api.to_string()).expect("write");
        self
    }

    /// `GET path` in `api`, documented by `stem.json`, with these path
    /// parameters (name and schema), the example request `target`, and a
    /// 200 answer of `body`.
    fn get(
        self,
        api: &str,
        stem: &str,
        path: &str,
        params: &[(&str, Value)],
        target: &str,
        body: Value,
    ) -> SpecDir {
        let fixture = format!("{api}/{stem}/response-200.json");
        let fixture_path = self.path().join("fixtures").join(&fixture);
        fs::create_dir_all(fixture_path.parent().expect("parent")).expect("mkdir");
        fs::write(&fixture_path, body.to_string()).expect("write");
        let parameters: Vec<Value> = params
            .iter()
            .map(|(name, schema)| json!({"name": name, "in": "path", "schema": schema, "required": true}))
            .collect();
        let spec = json!({
            "method": "GET",
            "path": path,
            "summary": format!("{stem} for the test"),
            "auth": true,
            "parameters": parameters,
            "request": {"target": target, "headers": {"Accept": "application/json"}},
            "responses": [{"status": 200, "json": fixture}],
            "source": format!("{stem}.txt"),
        });
        let file = self
            .path()
            .join("specs")
            .join(api)
            .join(format!("{stem}.json"));
        fs::write(file, spec.to_string()).expect("write");
        self
    }
}

fn int32() -> Value {
    json!({"type": "integer", "format": "int32"})
}

fn text() -> Value {
    json!({"type": "string"})
}

/// SuperOffice's `List/{id}` (int32) beside `List/{name}` (string), and
/// ONLYOFFICE's `contact/{contactid}/data/{id}` (integer) beside
/// `…/data/{infoType}` (string), as both vendors document them.
fn typed_pairs() -> SpecDir {
    SpecDir::new()
        .api("superoffice", "superoffice")
        .get(
            "superoffice",
            "get-list-id",
            "/api/v1/List/{id}",
            &[("id", int32())],
            "/api/v1/List/5",
            json!({"by": "id"}),
        )
        .get(
            "superoffice",
            "get-list-name",
            "/api/v1/List/{name}",
            &[("name", text())],
            "/api/v1/List/Sale",
            json!({"by": "name"}),
        )
        .api("onlyoffice", "onlyoffice")
        .get(
            "onlyoffice",
            "get-data-id",
            "/api/2.0/crm/contact/{contactid}/data/{id}",
            &[
                ("contactid", json!({"type": "integer"})),
                ("id", json!({"type": "integer"})),
            ],
            "/api/2.0/crm/contact/1/data/2",
            json!({"status": 0, "response": "by id"}),
        )
        .get(
            "onlyoffice",
            "get-data-infotype",
            "/api/2.0/crm/contact/{contactid}/data/{infoType}",
            &[
                ("contactid", json!({"type": "integer"})),
                ("infoType", text()),
            ],
            "/api/2.0/crm/contact/1/data/Email",
            json!({"status": 0, "response": "by infoType"}),
        )
}

async fn get(server: &Server, path: &str) -> (u16, Value) {
    let reply = client()
        .get(server.url(path))
        .header("Accept", "application/json")
        .send()
        .await
        .expect("sent");
    let status = reply.status().as_u16();
    (status, reply.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_integer_piece_goes_to_the_typed_route_and_any_other_to_the_string_one() {
    let specs = typed_pairs();
    let server = Server::start(&["--specs", &specs.specs()]);
    for (piece, by) in [
        ("5", "id"),
        ("-5", "id"),
        ("+5", "id"),
        ("2147483647", "id"),
        // Past Int32, as .NET's `int` route constraint reads it.
        ("2147483648", "name"),
        ("Sale", "name"),
        ("1.5", "name"),
        ("5x", "name"),
    ] {
        let (status, body) = get(&server, &format!("/superoffice/api/v1/List/{piece}")).await;
        assert_eq!(
            (status, &body["by"]),
            (200, &json!(by)),
            "List/{piece}: {body}"
        );
    }
    // ONLYOFFICE's constraint is `[0-9]+`: digits of any length, no sign.
    for (piece, by) in [
        ("2", "by id"),
        ("Email", "by infoType"),
        ("-2", "by infoType"),
    ] {
        let (status, body) = get(
            &server,
            &format!("/onlyoffice/api/2.0/crm/contact/1/data/{piece}"),
        )
        .await;
        assert_eq!(
            (status, &body["response"]),
            (200, &json!(by)),
            "data/{piece}: {body}"
        );
    }
    // Digits past Int64 go to the integer route, which refuses them by
    // name, as the vendor's binding would.
    let (status, body) = get(
        &server,
        "/onlyoffice/api/2.0/crm/contact/1/data/99999999999999999999",
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["violations"][0]["pointer"], "/id", "{body}");

    let check = run_to_exit(specs.path(), &["check", "specs"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
}

/// [`typed_pairs`] with a second string parameter beside `List/{name}`:
/// no request could tell `List/{title}` from it.
fn true_conflict() -> SpecDir {
    typed_pairs().get(
        "superoffice",
        "get-list-title",
        "/api/v1/List/{title}",
        &[("title", text())],
        "/api/v1/List/Sale",
        json!({"by": "title"}),
    )
}

#[test]
fn routes_no_request_could_tell_apart_are_refused_naming_both_files() {
    let specs = true_conflict();
    let output = run_to_exit(specs.path(), &["serve", "--specs", "specs", "--port", "0"]);
    assert!(!output.status.success(), "serve started");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("get-list-title.json: /path: GET /superoffice/api/v1/List/{title} would match the same requests as GET /superoffice/api/v1/List/{name} in specs/superoffice/get-list-name.json"),
        "{stderr}"
    );
    assert!(
        stderr.contains("no request could tell them apart"),
        "{stderr}"
    );
    assert!(stderr.contains("--lenient"), "{stderr}");
}

#[tokio::test]
async fn lenient_skips_the_conflicting_spec_with_a_warning_and_serves_the_rest() {
    let specs = true_conflict();
    let mut server = Server::start(&["--specs", &specs.specs(), "--lenient"]);
    // The spec loaded first keeps the route; the typed one beside it and
    // the other API are served as ever.
    let (status, body) = get(&server, "/superoffice/api/v1/List/Sale").await;
    assert_eq!((status, &body["by"]), (200, &json!("name")), "{body}");
    let (status, body) = get(&server, "/superoffice/api/v1/List/7").await;
    assert_eq!((status, &body["by"]), (200, &json!("id")), "{body}");
    let (status, _) = get(&server, "/onlyoffice/api/2.0/crm/contact/1/data/Email").await;
    assert_eq!(status, 200);
    server.terminate();
    let stderr = server.stderr();
    let warning = stderr
        .lines()
        .find(|line| line.contains("skipped:"))
        .unwrap_or_else(|| panic!("no warning in {stderr}"));
    assert!(
        warning.contains("get-list-title.json") && warning.contains("get-list-name.json"),
        "{warning}"
    );
}

#[test]
fn check_reports_the_conflict_and_goes_on_to_every_other_problem() {
    let specs = true_conflict()
        // An example that breaks its own schema…
        .get(
            "superoffice",
            "get-user-id",
            "/api/v1/User/{id}",
            &[("id", int32())],
            "/api/v1/User/7",
            json!({"by": "user"}),
        )
        // …and an example request the mock refuses (`abc` is no integer).
        .get(
            "superoffice",
            "get-role-id",
            "/api/v1/Role/{id}",
            &[("id", int32())],
            "/api/v1/Role/abc",
            json!({"by": "role"}),
        );
    let file = specs.path().join("specs/superoffice/get-user-id.json");
    let mut spec: Value =
        serde_json::from_str(&fs::read_to_string(&file).expect("read")).expect("json");
    spec["parameters"][0]["example"] = json!("seven");
    fs::write(&file, spec.to_string()).expect("write");

    let output = run_to_exit(specs.path(), &["check", "specs"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("3 problems"), "{stderr}");
    assert!(
        stderr.contains("get-list-title.json: /path: GET /superoffice/api/v1/List/{title} would match the same requests"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "get-user-id.json: /parameters/0/example: the example of id does not satisfy its schema"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("get-role-id.json: /request: the documented example request gets 400 instead of the documented 200"),
        "{stderr}"
    );
}

#[test]
fn many_routes_are_summarised_per_api_and_listed_whole_when_asked() {
    let specs = generated_specs(50);
    let routes = |args: &[&str]| {
        let output = run_to_exit(
            specs.path(),
            &[&["routes", "--specs", "specs"], args].concat(),
        );
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("utf-8")
    };
    let summary = routes(&[]);
    assert_eq!(summary.lines().count(), 3, "{summary}");
    assert!(
        summary.starts_with("51 routes in 1 API; `docmock routes --verbose` lists every one"),
        "{summary}"
    );
    let api_line = summary.lines().nth(2).expect("a line for the API");
    let words: Vec<&str> = api_line.split_whitespace().collect();
    assert_eq!(
        words,
        ["bench", "/bench", "51", "1", "50", "Generated"],
        "{summary}"
    );
    for args in [&["--verbose"][..], &["-v"], &["--api", "bench"]] {
        let table = routes(args);
        // A header, the 50 generated routes and the built-in login.
        assert_eq!(table.lines().count(), 52, "{args:?}: {table}");
        assert!(table.starts_with("METHOD"), "{table}");
        assert!(table.contains("bench/e49"), "{table}");
    }

    let specs_dir = specs.path().join("specs").display().to_string();
    let printed = Server::start(&["--specs", &specs_dir]).stop();
    assert!(
        printed.contains("51 routes in 1 API; `docmock serve --verbose`"),
        "{printed}"
    );
    assert_eq!(printed.matches("curl -i").count(), 0, "{printed}");
    let printed = Server::start(&["--specs", &specs_dir, "--verbose"]).stop();
    assert_eq!(printed.matches("curl -i").count(), 51, "{printed}");
}

#[tokio::test]
async fn the_admin_page_reads_3000_routes_in_a_few_hundred_kilobytes() {
    let specs = generated_specs(3000);
    let server = Server::start(&["--specs", &specs.path().join("specs").display().to_string()]);
    let http = client();
    let page = http
        .get(server.url("/__docmock/"))
        .send()
        .await
        .expect("sent");
    let page = page.text().await.expect("text");
    assert!(page.len() < 16_000, "{} bytes of HTML", page.len());
    // The routes are fetched once, from `apis`; only the journal is polled.
    assert_eq!(page.matches("fetch(\"/__docmock/apis\")").count(), 1);
    assert!(!page.contains("fetch(\"/__docmock/routes\")"));
    assert_eq!(page.matches("setInterval(").count(), 1);
    assert!(page.contains("setInterval(requests, 1000)"));

    let reply = http
        .get(server.url("/__docmock/apis"))
        .send()
        .await
        .expect("sent");
    assert_eq!(reply.status(), 200);
    let bytes = reply.bytes().await.expect("body");
    assert!(bytes.len() < 400_000, "{} bytes of route data", bytes.len());
    let apis: Value = serde_json::from_slice(&bytes).expect("JSON");
    assert_eq!(apis[0]["name"], "bench");
    assert_eq!(apis[0]["prefix"], "/bench");
    let routes = apis[0]["routes"].as_array().expect("routes");
    // The 3,000 generated and the login every ONLYOFFICE API has.
    assert_eq!(routes.len(), 3001);
    assert!(routes.contains(&json!([
        "PUT",
        "/api/2.0/crm/area49/entity2999/{contactid}/status",
        "e2999",
        "000_1ada86701635013a.txt"
    ])));
}
