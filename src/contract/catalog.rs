//! Loading a spec directory into a [`Catalog`]: every API, every endpoint,
//! every fixture read, checked and pre-rendered.
//!
//! All the work that does not depend on a request happens here, once: fixture
//! files are read and parsed, both response forms are rendered to bytes, and
//! every problem is collected with the file and JSON pointer it concerns, so
//! that a broken spec directory is reported whole rather than one error at a
//! time.

use std::collections::HashSet;
use std::fmt;
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use http::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;
use walkdir::WalkDir;

use crate::contract::dialect::{
    DEFAULT_TOKEN, DialectName, Envelope, Format, Formats, Login, XmlStyle,
};
use crate::contract::problem::escape_pointer;
use crate::contract::render;
use crate::contract::schema::Contract;
pub use crate::contract::schema::Parameter;
use crate::contract::spec::{
    ApiFile, AuthFile, EndpointFile, ExampleSource, Location, ParameterFile, RequestFile,
    ResponseFile,
};

/// One problem with a spec directory, naming where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The file at fault.
    pub file: PathBuf,
    /// JSON pointer (`/responses/0/json`) or `line L, column C`; empty when
    /// the whole file is at fault.
    pub location: String,
    /// What was expected and what was found.
    pub message: String,
}

impl LoadError {
    fn new(file: &Path, location: impl Into<String>, message: impl Into<String>) -> Self {
        LoadError {
            file: file.to_path_buf(),
            location: location.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.file.as_os_str().is_empty() {
            // A problem with an option (`--api`), not with a file.
            write!(f, "{}: {}", self.location, self.message)
        } else if self.location.is_empty() {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(
                f,
                "{}: {}: {}",
                self.file.display(),
                self.location,
                self.message
            )
        }
    }
}

impl std::error::Error for LoadError {}

/// Every problem found while loading a spec directory.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LoadErrors(pub Vec<LoadError>);

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.0.len();
        write!(
            f,
            "{count} problem{} in the spec directory:",
            if count == 1 { "" } else { "s" }
        )?;
        for error in &self.0 {
            write!(f, "\n  {error}")?;
        }
        Ok(())
    }
}

/// Where a catalog is read from.
#[derive(Debug, Clone)]
pub struct Source {
    /// The spec directory (`specs/`).
    pub specs: PathBuf,
    /// The fixtures directory (`fixtures/` beside the specs unless given).
    pub fixtures: PathBuf,
}

impl Source {
    /// Specs at `specs`, fixtures in `fixtures` or else the `fixtures/`
    /// directory beside `specs`.
    pub fn new(specs: impl Into<PathBuf>, fixtures: Option<PathBuf>) -> Self {
        let specs = specs.into();
        let fixtures = fixtures.unwrap_or_else(|| {
            specs
                .parent()
                .map(|parent| parent.join("fixtures"))
                .unwrap_or_else(|| PathBuf::from("fixtures"))
        });
        Source { specs, fixtures }
    }
}

/// One loaded API.
#[derive(Debug, Clone)]
pub struct Api {
    /// Directory name and `api.json` name.
    pub name: String,
    /// Human title.
    pub title: String,
    /// Vendor conventions.
    pub dialect: DialectName,
    /// Mount prefix (`/onlyoffice`), normalised to start with `/` and not end
    /// with one.
    pub prefix: String,
    /// Accepted credentials, as written in `api.json`.
    pub auth: AuthFile,
    /// The credential headers of `auth`, parsed once for the request path.
    pub credential_headers: Vec<CredentialHeader>,
    /// Documentation URL.
    pub docs: Option<String>,
    /// Whether a request must send every parameter the page does not mark
    /// optional (`"strict": true` in `api.json`).
    pub strict: bool,
    /// Whose word decides the response format, as `api.json` says.
    pub formats: Formats,
}

/// A header that carries a credential.
#[derive(Debug, Clone)]
pub struct CredentialHeader {
    /// Header name.
    pub name: http::HeaderName,
    /// The name as `api.json` spells it, for messages.
    pub spelled: String,
    /// Accepted schemes (`Basic`, `Bearer`, …); empty accepts any value.
    pub schemes: Vec<String>,
}

/// A path template split into segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathTemplate {
    /// The template as written.
    pub raw: String,
    /// Its segments.
    pub segments: Vec<Segment>,
}

/// One `/`-separated piece of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// Matches this text, ignoring ASCII case as the vendors' ASP.NET routing does.
    Literal(String),
    /// Matches any one segment and binds it to the parameter of this name.
    Param(String),
}

impl PathTemplate {
    /// Parses `/api/2.0/crm/contact/{contactid}/status`.
    pub fn parse(raw: &str) -> Result<PathTemplate, String> {
        if !raw.starts_with('/') {
            return Err(format!("a path starting with `/`, got {raw:?}"));
        }
        let mut segments = Vec::new();
        let mut seen = HashSet::new();
        for piece in raw.split('/').skip(1) {
            if piece.is_empty() {
                if segments.is_empty() && raw == "/" {
                    break;
                }
                return Err(format!("no empty segments in the path, got {raw:?}"));
            }
            if let Some(name) = piece.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                if name.is_empty() || name.contains(['{', '}']) {
                    return Err(format!("a parameter name inside `{{}}`, got {piece:?}"));
                }
                if !seen.insert(name.to_string()) {
                    return Err(format!("each path parameter once, got {{{name}}} twice"));
                }
                segments.push(Segment::Param(name.to_string()));
            } else if piece.contains(['{', '}']) {
                return Err(format!(
                    "a parameter to fill a whole segment (`/{{id}}/`), got {piece:?}"
                ));
            } else {
                segments.push(Segment::Literal(piece.to_string()));
            }
        }
        Ok(PathTemplate {
            raw: raw.to_string(),
            segments,
        })
    }

    /// Names of the path parameters, in order.
    pub fn params(&self) -> impl Iterator<Item = &str> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Param(name) => Some(name.as_str()),
            Segment::Literal(_) => None,
        })
    }
}

/// The documented example request.
#[derive(Debug, Clone)]
pub struct ExampleRequest {
    /// Path and query without the mount prefix.
    pub target: String,
    /// Headers in page order.
    pub headers: Vec<(String, String)>,
    /// The example body, verbatim.
    pub body: Option<Bytes>,
    /// The fixture file the body was read from.
    pub body_file: Option<PathBuf>,
}

/// One documented response with both forms rendered.
#[derive(Debug, Clone)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// Name for `Prefer: example=NAME`.
    pub name: String,
    /// What it means.
    pub description: String,
    /// The returned type's name.
    pub type_name: Option<String>,
    /// The body as a value (documented or generated), shared for transforms.
    pub body: Option<Arc<Value>>,
    /// JSON bytes served: the fixture verbatim, or the generated body.
    pub json: Bytes,
    /// XML bytes served: rendered from `body` by the dialect.
    pub xml: Bytes,
    /// The documented XML, when the page has one.
    pub xml_fixture: Option<String>,
    /// How the XML spells member names relative to the JSON.
    pub xml_names: crate::contract::render::NameCase,
    /// The XML conventions this response is written by: the dialect's, with
    /// the response's `xml_literals` in place. Re-rendering (`$select`) and
    /// verify's convention checks read it, so they agree with the page.
    pub xml_style: XmlStyle,
    /// Where the body comes from when the page documents none: such a
    /// response is served all the same, and marked wherever it shows.
    pub example: Option<ExampleSource>,
    /// The `Docmock-Example` header value that marks this response as not
    /// documented, made once here rather than on every answer.
    pub example_header: Option<http::HeaderValue>,
}

impl Response {
    /// Whether the body was made up by docmock (the vendor's empty
    /// success, or an envelope around `null`) rather than documented on
    /// this page or another of the same type.
    pub fn is_generated(&self) -> bool {
        matches!(
            self.example,
            Some(ExampleSource::NoData | ExampleSource::Unknown)
        )
    }

    /// The bytes of this response in `format`.
    pub fn bytes(&self, format: Format) -> &Bytes {
        match format {
            Format::Json => &self.json,
            Format::Xml => &self.xml,
        }
    }
}

/// One documented endpoint, ready to serve.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// `<api>/<file stem>`, unique in the catalog.
    pub id: String,
    /// [`Endpoint::id`] as a JSON string literal, quotes included: what a
    /// request line writes for every request, escaped once here.
    pub id_json: String,
    /// Index into [`Catalog::apis`].
    pub api: usize,
    /// HTTP method.
    pub method: Method,
    /// Path template without the mount prefix.
    pub path: PathTemplate,
    /// One-line description.
    pub summary: String,
    /// Whether the endpoint requires authentication.
    pub auth_required: bool,
    /// Whether this is the dialect's login, whose token `serve --token`
    /// replaces with its own.
    pub login: bool,
    /// Documented parameters.
    pub parameters: Vec<Parameter>,
    /// The documented example request.
    pub request: Option<ExampleRequest>,
    /// Documented responses; the first is the default.
    pub responses: Vec<Response>,
    /// The page the spec came from.
    pub source: Option<String>,
    /// The spec file.
    pub file: PathBuf,
    /// Compiled request schemas.
    pub contract: Contract,
}

impl Endpoint {
    /// The example request's path and query, or the template with documented
    /// example values filled in.
    pub fn example_target(&self) -> String {
        if let Some(request) = &self.request {
            return request.target.clone();
        }
        let mut target = self.path.raw.clone();
        for parameter in &self.parameters {
            let value = match &parameter.example {
                Some(serde_json::Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => "1".into(),
            };
            target = target.replace(&format!("{{{}}}", parameter.name), &value);
        }
        target
    }

    /// Whether the dialect provides this endpoint rather than a page
    /// documenting it (the ONLYOFFICE login of a tree without its page).
    pub fn is_built_in(&self) -> bool {
        self.source.as_deref() == Some(BUILT_IN)
    }

    /// The documented parameter `name` in `location`.
    pub fn parameter(&self, location: Location, name: &str) -> Option<&Parameter> {
        self.parameters
            .iter()
            .find(|p| p.location == location && p.name == name)
    }
}

/// The `source` of an endpoint the dialect provides rather than a page.
pub const BUILT_IN: &str = "built in";

/// Everything loaded from one spec directory.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// APIs in name order.
    pub apis: Vec<Api>,
    /// Endpoints in id order.
    pub endpoints: Vec<Endpoint>,
    /// Problems that do not stop serving: documented XML the renderer does
    /// not reproduce. Files a lenient load leaves out come back beside the
    /// catalog instead (see [`Catalog::load_lenient`]).
    pub warnings: Vec<LoadError>,
}

impl Catalog {
    /// Loads `source`, refusing on any problem.
    pub fn load(source: &Source) -> Result<Catalog, LoadErrors> {
        let (catalog, errors) = Catalog::load_lenient(source);
        if errors.is_empty() {
            Ok(catalog)
        } else {
            Err(LoadErrors(errors))
        }
    }

    /// Loads what can be loaded from `source` and returns the problems with
    /// the rest; a broken endpoint file is left out, a broken `api.json`
    /// leaves out its API.
    pub fn load_lenient(source: &Source) -> (Catalog, Vec<LoadError>) {
        let mut loader = Loader {
            source,
            errors: Vec::new(),
            warnings: Vec::new(),
            fixtures_root: None,
        };
        let catalog = loader.load();
        let Loader {
            errors, warnings, ..
        } = loader;
        (
            Catalog {
                warnings,
                ..catalog
            },
            errors,
        )
    }

    /// Where `endpoint`, borrowed from this catalog (an answer's), stands in
    /// [`Catalog::endpoints`]: worked out from its address, so that a
    /// request does not pay a search through thousands of endpoints; `None`
    /// for an endpoint of another catalog.
    pub fn index_of(&self, endpoint: &Endpoint) -> Option<usize> {
        let base = self.endpoints.as_ptr() as usize;
        let offset = (endpoint as *const Endpoint as usize).checked_sub(base)?;
        let index = offset / std::mem::size_of::<Endpoint>().max(1);
        self.endpoints
            .get(index)
            .filter(|found| std::ptr::eq(*found, endpoint))
            .map(|_| index)
    }

    /// The API an endpoint belongs to.
    pub fn api_of(&self, endpoint: &Endpoint) -> &Api {
        &self.apis[endpoint.api]
    }

    /// The API called `name`.
    pub fn api(&self, name: &str) -> Option<(usize, &Api)> {
        self.apis.iter().enumerate().find(|(_, a)| a.name == name)
    }
}

struct Loader<'a> {
    source: &'a Source,
    errors: Vec<LoadError>,
    warnings: Vec<LoadError>,
    fixtures_root: Option<PathBuf>,
}

impl Loader<'_> {
    fn load(&mut self) -> Catalog {
        let specs = &self.source.specs;
        let entries = match fs::read_dir(specs) {
            Ok(entries) => entries,
            Err(e) => {
                self.errors.push(LoadError::new(
                    specs,
                    "",
                    format!("cannot read the spec directory: {e}"),
                ));
                return Catalog::default();
            }
        };
        self.fixtures_root = fs::canonicalize(&self.source.fixtures).ok();
        let mut api_dirs: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        api_dirs.sort();
        // `--specs imported` for an imported tree (`imported/specs` and
        // `imported/fixtures`): say which directory was meant instead of
        // asking `specs/` and `fixtures/` for an api.json.
        let nested = specs.join("specs");
        if nested.is_dir() && !specs.join("specs").join("api.json").is_file() {
            self.errors.push(LoadError::new(
                specs,
                "",
                format!(
                    "this holds a `specs` directory, not one directory per API: pass `--specs {}`",
                    nested.display()
                ),
            ));
            return Catalog::default();
        }
        if api_dirs.is_empty() {
            self.errors.push(LoadError::new(
                specs,
                "",
                "expected one directory per API (`<api>/api.json`), found none",
            ));
        }

        let mut catalog = Catalog::default();
        for dir in api_dirs {
            let Some(api) = self.load_api(&dir) else {
                continue;
            };
            let api_index = catalog.apis.len();
            let mut endpoints = self.load_endpoints(&dir, &api, api_index);
            if let Some(login) = api.dialect.rules().login
                && !endpoints
                    .iter()
                    .any(|e| login.is(e.method.as_str(), &e.path.raw))
                && let Some(endpoint) = self.builtin_login(&dir, &api, api_index, &endpoints, login)
            {
                endpoints.push(endpoint);
            }
            catalog.apis.push(api);
            catalog.endpoints.append(&mut endpoints);
        }
        catalog
    }

    fn load_api(&mut self, dir: &Path) -> Option<Api> {
        let file = dir.join("api.json");
        if !file.is_file() {
            self.errors.push(LoadError::new(
                &file,
                "",
                "every API directory needs an api.json (name, title, dialect, prefix)",
            ));
            return None;
        }
        let api: ApiFile = self.parse_file(&file)?;
        let dir_name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if api.name != dir_name {
            self.errors.push(LoadError::new(
                &file,
                "/name",
                format!(
                    "expected the directory name {dir_name:?}, got {:?}",
                    api.name
                ),
            ));
            return None;
        }
        let prefix = api.prefix.trim_end_matches('/');
        if !api.prefix.starts_with('/') {
            self.errors.push(LoadError::new(
                &file,
                "/prefix",
                format!("expected a prefix starting with `/`, got {:?}", api.prefix),
            ));
            return None;
        }
        let auth = api
            .auth
            .unwrap_or_else(|| api.dialect.rules().default_auth());
        let mut credential_headers = Vec::new();
        for (header, schemes) in &auth.headers {
            let pointer = format!("/auth/headers/{}", escape_pointer(header));
            let Some(schemes) = schemes.as_array().and_then(|list| {
                list.iter()
                    .map(|s| s.as_str().map(str::to_string))
                    .collect::<Option<Vec<String>>>()
            }) else {
                self.errors.push(LoadError::new(
                    &file,
                    pointer,
                    "expected a list of accepted schemes (empty for any value)",
                ));
                return None;
            };
            let Ok(name) = http::HeaderName::from_bytes(header.as_bytes()) else {
                self.errors.push(LoadError::new(
                    &file,
                    pointer,
                    format!("expected an HTTP header name, got {header:?}"),
                ));
                return None;
            };
            credential_headers.push(CredentialHeader {
                name,
                spelled: header.clone(),
                schemes,
            });
        }
        Some(Api {
            credential_headers,
            name: api.name,
            title: api.title,
            dialect: api.dialect,
            prefix: prefix.to_string(),
            auth,
            docs: api.docs,
            strict: api.strict,
            formats: api.formats.unwrap_or_default(),
        })
    }

    fn load_endpoints(&mut self, dir: &Path, api: &Api, api_index: usize) -> Vec<Endpoint> {
        let mut endpoints = Vec::new();
        let walker = WalkDir::new(dir)
            .min_depth(1)
            .sort_by_file_name()
            .into_iter();
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    let path = e.path().unwrap_or(dir).to_path_buf();
                    self.errors
                        .push(LoadError::new(&path, "", format!("cannot read: {e}")));
                    continue;
                }
            };
            let path = entry.path();
            let is_json = path.extension().is_some_and(|ext| ext == "json");
            if !entry.file_type().is_file() || !is_json || path == dir.join("api.json") {
                continue;
            }
            let Some(id) = endpoint_id(&self.source.specs, path) else {
                continue;
            };
            if let Some(endpoint) = self.load_endpoint(path, id, api, api_index) {
                endpoints.push(endpoint);
            }
        }
        endpoints
    }

    fn load_endpoint(
        &mut self,
        file: &Path,
        id: String,
        api: &Api,
        api_index: usize,
    ) -> Option<Endpoint> {
        let spec: EndpointFile = self.parse_file(file)?;
        self.build_endpoint(file, spec, id, api, api_index)
    }

    /// The dialect's login for an API whose spec directory documents none,
    /// so that a client that logs in first works against any spec tree,
    /// bundled or freshly imported. It takes the documented credential
    /// fields, any values (docmock is a stub: it has no users to check them
    /// against), and hands out [`DEFAULT_TOKEN`] (or `serve --token`'s, see
    /// [`crate::contract::dialect::with_token`]).
    fn builtin_login(
        &mut self,
        dir: &Path,
        api: &Api,
        api_index: usize,
        loaded: &[Endpoint],
        login: Login,
    ) -> Option<Endpoint> {
        let stem = "post-authentication";
        let mut id = format!("{}/{stem}", api.name);
        if loaded.iter().any(|e| e.id == id) {
            id = format!("{}/built-in-login", api.name);
        }
        let parameters = login
            .fields
            .iter()
            .map(|field| ParameterFile {
                name: field.to_string(),
                location: Location::Body,
                description: String::new(),
                doc_type: None,
                schema: Some(serde_json::json!({"type": "string"})),
                example: Some(Value::from(DEFAULT_TOKEN)),
                required: true,
            })
            .collect();
        let spec = EndpointFile {
            method: "POST".into(),
            path: login.path.into(),
            summary: format!(
                "Logs in (built in: every {} API has it)",
                api.dialect.rules().title
            ),
            auth: false,
            parameters,
            request: None,
            responses: vec![ResponseFile {
                status: login.status,
                name: None,
                description: String::new(),
                type_name: None,
                json: None,
                xml: None,
                xml_names: None,
                xml_literals: None,
                // Replaced below by the login's own body.
                example: Some(ExampleSource::Unknown),
            }],
            source: Some(BUILT_IN.into()),
        };
        let file = dir.join(format!("({BUILT_IN}) {stem}.json"));
        let mut endpoint = self.build_endpoint(&file, spec, id, api, api_index)?;
        let dialect = api.dialect.rules();
        let value = login.success(DEFAULT_TOKEN);
        let response = endpoint.responses.first_mut()?;
        response.json = Bytes::from(render::to_json(&value));
        response.xml = Bytes::from(render::to_xml_named(
            &dialect.xml,
            &value,
            None,
            Default::default(),
        ));
        response.body = Some(Arc::new(value));
        response.example = None;
        response.example_header = None;
        let body: serde_json::Map<String, Value> = login
            .fields
            .iter()
            .map(|field| (field.to_string(), Value::from(DEFAULT_TOKEN)))
            .collect();
        endpoint.request = Some(ExampleRequest {
            target: format!("{}.json", login.path),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: Some(Bytes::from(Value::Object(body).to_string())),
            body_file: None,
        });
        Some(endpoint)
    }

    fn build_endpoint(
        &mut self,
        file: &Path,
        spec: EndpointFile,
        id: String,
        api: &Api,
        api_index: usize,
    ) -> Option<Endpoint> {
        let errors_before = self.errors.len();

        let method = match Method::from_bytes(spec.method.as_bytes()) {
            Ok(m) if spec.method.chars().all(|c| c.is_ascii_uppercase()) => Some(m),
            _ => {
                self.errors.push(LoadError::new(
                    file,
                    "/method",
                    format!(
                        "expected an upper-case HTTP method such as GET or PUT, got {:?}",
                        spec.method
                    ),
                ));
                None
            }
        };
        let path = match PathTemplate::parse(&spec.path) {
            Ok(path) => Some(path),
            Err(expected) => {
                self.errors.push(LoadError::new(
                    file,
                    "/path",
                    format!("expected {expected}"),
                ));
                None
            }
        };
        let parameters = self.load_parameters(file, &spec.parameters, path.as_ref());
        let request = spec
            .request
            .as_ref()
            .and_then(|r| self.load_request(file, r));
        let responses = self.load_responses(file, &spec.responses, api);
        let example_body = request
            .as_ref()
            .and_then(|r| r.body.as_ref())
            .and_then(|body| serde_json::from_slice::<Value>(body).ok());
        // The entity the endpoint answers with, outside any envelope: what a
        // JSON Patch body patches.
        let returned = responses
            .iter()
            .filter(|r| (200..300).contains(&r.status) && !r.is_generated())
            .find_map(|r| r.body.as_deref())
            .map(|body| match api.dialect.rules().envelope {
                Envelope::StatusResponse => body.get("response").unwrap_or(body),
                Envelope::Bare => body,
            });
        let contract = match Contract::build(&parameters, example_body.as_ref(), returned) {
            Ok(contract) => contract,
            Err(message) => {
                self.errors.push(LoadError::new(
                    file,
                    "/parameters",
                    format!("expected schemas that compile: {message}"),
                ));
                return None;
            }
        };

        if self.errors.len() > errors_before {
            return None;
        }
        Some(Endpoint {
            id_json: serde_json::Value::from(id.as_str()).to_string(),
            id,
            api: api_index,
            method: method?,
            path: path?,
            summary: spec.summary,
            auth_required: spec.auth,
            login: api
                .dialect
                .rules()
                .login
                .is_some_and(|login| login.is(&spec.method, &spec.path)),
            parameters,
            request,
            responses,
            source: spec.source,
            file: file.to_path_buf(),
            contract,
        })
    }

    fn load_parameters(
        &mut self,
        file: &Path,
        specs: &[ParameterFile],
        path: Option<&PathTemplate>,
    ) -> Vec<Parameter> {
        let mut parameters = Vec::with_capacity(specs.len());
        let mut seen = HashSet::new();
        for (i, p) in specs.iter().enumerate() {
            let pointer = format!("/parameters/{i}");
            if !seen.insert((p.location, p.name.to_ascii_lowercase())) {
                self.errors.push(LoadError::new(
                    file,
                    format!("{pointer}/name"),
                    format!(
                        "each parameter once per location, got {:?} in {} twice",
                        p.name,
                        p.location.as_str()
                    ),
                ));
                continue;
            }
            let schema = p
                .schema
                .clone()
                .unwrap_or_else(|| Value::Object(Default::default()));
            if let Err(e) = jsonschema::validator_for(&schema) {
                self.errors.push(LoadError::new(
                    file,
                    format!("{pointer}/schema"),
                    format!("expected a valid JSON Schema: {e}"),
                ));
                continue;
            }
            if p.location == Location::Path
                && path.is_some_and(|t| !t.params().any(|name| name == p.name))
            {
                self.errors.push(LoadError::new(
                    file,
                    format!("{pointer}/name"),
                    format!(
                        "a path parameter that appears in the path template as {{{}}}",
                        p.name
                    ),
                ));
                continue;
            }
            parameters.push(Parameter {
                name: p.name.clone(),
                location: p.location,
                required: p.required || p.location == Location::Path,
                schema,
                example: p.example.clone(),
                description: p.description.clone(),
                doc_type: p.doc_type.clone(),
            });
        }
        // Path parameters the table forgot still bind, as plain strings.
        if let Some(path) = path {
            for name in path.params() {
                if !parameters
                    .iter()
                    .any(|p| p.location == Location::Path && p.name == name)
                {
                    parameters.push(Parameter {
                        name: name.to_string(),
                        location: Location::Path,
                        required: true,
                        schema: serde_json::json!({"type": "string"}),
                        example: None,
                        description: String::new(),
                        doc_type: None,
                    });
                }
            }
        }
        parameters
    }

    fn load_request(&mut self, file: &Path, request: &RequestFile) -> Option<ExampleRequest> {
        if !request.target.starts_with('/') {
            self.errors.push(LoadError::new(
                file,
                "/request/target",
                format!(
                    "expected a path starting with `/`, got {:?}",
                    request.target
                ),
            ));
        }
        let mut headers = Vec::with_capacity(request.headers.len());
        for (name, value) in &request.headers {
            match value.as_str() {
                Some(text) => headers.push((name.clone(), text.to_string())),
                None => self.errors.push(LoadError::new(
                    file,
                    format!("/request/headers/{}", escape_pointer(name)),
                    "expected the header value as a string",
                )),
            }
        }
        let body = match &request.body {
            Some(fixture) => {
                let bytes = self.read_fixture(file, "/request/body", fixture)?;
                if fixture.ends_with(".json") {
                    self.parse_fixture_json(fixture, &bytes)?;
                }
                Some(Bytes::from(bytes))
            }
            None => None,
        };
        Some(ExampleRequest {
            target: request.target.clone(),
            headers,
            body,
            body_file: request.body.as_ref().map(|f| self.source.fixtures.join(f)),
        })
    }

    fn load_responses(&mut self, file: &Path, specs: &[ResponseFile], api: &Api) -> Vec<Response> {
        if specs.is_empty() {
            self.errors.push(LoadError::new(
                file,
                "/responses",
                "expected at least one documented response",
            ));
        }
        let dialect = api.dialect.rules();
        let mut names = HashSet::new();
        let mut responses = Vec::with_capacity(specs.len());
        for (i, r) in specs.iter().enumerate() {
            let pointer = format!("/responses/{i}");
            if !(100..=599).contains(&r.status) {
                self.errors.push(LoadError::new(
                    file,
                    format!("{pointer}/status"),
                    format!("expected an HTTP status from 100 to 599, got {}", r.status),
                ));
                continue;
            }
            let name = r.name.clone().unwrap_or_else(|| r.status.to_string());
            if !names.insert(name.clone()) {
                self.errors.push(LoadError::new(
                    file,
                    format!("{pointer}/name"),
                    format!("a unique response name, got {name:?} twice (name the examples apart)"),
                ));
                continue;
            }
            let xml_fixture = match &r.xml {
                Some(fixture) => {
                    let Some(bytes) = self.read_fixture(file, &format!("{pointer}/xml"), fixture)
                    else {
                        continue;
                    };
                    match String::from_utf8(bytes) {
                        Ok(text) => Some(text),
                        Err(_) => {
                            self.errors.push(LoadError::new(
                                &self.source.fixtures.join(fixture),
                                "",
                                "expected UTF-8 text",
                            ));
                            continue;
                        }
                    }
                }
                None => None,
            };
            if !self.example_fits_fixtures(file, &pointer, r) {
                continue;
            }
            let names = r.xml_names.unwrap_or_default();
            let style = dialect
                .xml
                .with_literals(&r.xml_literals.unwrap_or_default());
            let (body, json) = match (&r.json, &xml_fixture) {
                (Some(fixture), _) => {
                    let Some(bytes) = self.read_fixture(file, &format!("{pointer}/json"), fixture)
                    else {
                        continue;
                    };
                    let Some(value) = self.parse_fixture_json(fixture, &bytes) else {
                        continue;
                    };
                    (Some(value), Bytes::from(bytes))
                }
                (None, Some(documented)) => {
                    match render::infer_xml(documented, &style) {
                        // Only XML is documented: its JSON form is read off it.
                        Ok(value) => {
                            let json = Bytes::from(render::to_json(&value));
                            (Some(value), json)
                        }
                        Err(e) => {
                            let fixture = r.xml.as_deref().unwrap_or_default();
                            self.errors.push(LoadError::new(
                                &self.source.fixtures.join(fixture),
                                "",
                                format!("expected well-formed XML: {e}"),
                            ));
                            continue;
                        }
                    }
                }
                (None, None) if r.status >= 400 => {
                    let message = if r.description.is_empty() {
                        crate::contract::dialect::reason_phrase(r.status).to_string()
                    } else {
                        r.description.clone()
                    };
                    let problem = crate::contract::problem::Problem::new(r.status, message);
                    let value = dialect.error_body(&problem);
                    let json = Bytes::from(render::to_json(&value));
                    (Some(value), json)
                }
                (None, None) => {
                    // Generated success bodies, for a page that shows none.
                    let generated = match &r.example {
                        _ if !status_has_body(r.status) => None,
                        Some(ExampleSource::NoData) => dialect.empty_success(r.status),
                        Some(ExampleSource::Unknown) => Some(dialect.success_around_null(r.status)),
                        Some(ExampleSource::SameType { .. } | ExampleSource::Recorded { .. })
                        | None => None,
                    };
                    match generated {
                        Some(value) => {
                            let json = Bytes::from(render::to_json(&value));
                            (Some(value), json)
                        }
                        None => (None, Bytes::new()),
                    }
                }
            };
            let type_name = r.type_name.clone();
            let xml = match &body {
                Some(value) => {
                    let generated_error =
                        r.json.is_none() && xml_fixture.is_none() && r.status >= 400;
                    let root = if generated_error {
                        Some(dialect.error_type_name())
                    } else {
                        type_name.as_deref()
                    };
                    Bytes::from(render::to_xml_named(&style, value, root, names))
                }
                None => Bytes::new(),
            };
            if let (Some(documented), Some(fixture)) = (&xml_fixture, &r.xml)
                && !same_xml_text(documented, &xml)
            {
                let rules = if style == dialect.xml {
                    format!("the {} rules", dialect.title)
                } else {
                    format!(
                        "the {} rules and the response's `xml_literals`",
                        dialect.title
                    )
                };
                self.warnings.push(LoadError::new(
                    &self.source.fixtures.join(fixture),
                    first_difference(documented, &xml),
                    format!(
                        "the XML rendered from the JSON by {rules} differs from the documented XML: {}",
                        what_differs(documented, &xml)
                    ),
                ));
            }
            responses.push(Response {
                status: r.status,
                name,
                description: r.description.clone(),
                type_name,
                body: body.map(Arc::new),
                json,
                xml,
                xml_fixture,
                xml_names: names,
                xml_style: style,
                example_header: r.example.as_ref().map(example_header),
                example: r.example.clone(),
            });
        }
        responses
    }

    /// Whether response `r`'s fixtures agree with its `example`: fixtures
    /// copied from another page (`same-type`) must be there, a generated
    /// body (`no-data`, `unknown`) has none, and a documented success that
    /// carries a body needs its fixture. Error statuses without a fixture
    /// are answered with the dialect's error body, and statuses without
    /// content need none.
    fn example_fits_fixtures(&mut self, file: &Path, pointer: &str, r: &ResponseFile) -> bool {
        let has_fixture = r.json.is_some() || r.xml.is_some();
        let problem = match &r.example {
            Some(ExampleSource::SameType { endpoint }) if !has_fixture => format!(
                "a `json` or `xml` fixture beside `\"from\": \"same-type\"`: it serves the example \
                 documented for {endpoint:?}, copied into the fixtures directory"
            ),
            Some(ExampleSource::Recorded { target, .. })
                if !has_fixture && (200..300).contains(&r.status) && status_has_body(r.status) =>
            {
                format!(
                    "a `json` or `xml` fixture beside `\"from\": \"recorded\"`: it serves the answer \
                     recorded from {target:?}"
                )
            }
            Some(ExampleSource::NoData | ExampleSource::Unknown) if has_fixture => {
                "either fixtures (a documented example) or a generated example \
                 (`no-data`, `unknown`), not both: remove `json` and `xml`, or `example`"
                    .to_string()
            }
            None if !has_fixture && (200..300).contains(&r.status) && status_has_body(r.status) => {
                format!(
                    "a `json` or `xml` fixture with the documented body of this {} response, \
                     or `example` saying where its body comes from when the page shows none \
                     (`{{\"from\": \"no-data\"}}` for a method that returns nothing, \
                     `{{\"from\": \"unknown\"}}` otherwise)",
                    r.status
                )
            }
            _ => return true,
        };
        let location = if r.example.is_some() {
            format!("{pointer}/example")
        } else {
            pointer.to_string()
        };
        self.errors.push(LoadError::new(
            file,
            location,
            format!("expected {problem}"),
        ));
        false
    }

    fn parse_file<T: DeserializeOwned>(&mut self, file: &Path) -> Option<T> {
        let text = match crate::files::read_regular(file) {
            Ok(text) => text,
            Err(e) => {
                self.errors
                    .push(LoadError::new(file, "", format!("cannot read: {e}")));
                return None;
            }
        };
        let mut de = serde_json::Deserializer::from_slice(&text);
        let parsed = serde_path_to_error::deserialize::<_, T>(&mut de);
        match parsed {
            Ok(value) => match de.end() {
                Ok(()) => Some(value),
                Err(e) => {
                    self.errors.push(LoadError::new(
                        file,
                        format!("line {}, column {}", e.line(), e.column()),
                        "expected the end of the file after the JSON document",
                    ));
                    None
                }
            },
            Err(e) => {
                let pointer = path_to_pointer(e.path());
                let inner = e.inner();
                let location = if inner.is_syntax() || inner.is_eof() || pointer.is_empty() {
                    format!("line {}, column {}", inner.line(), inner.column())
                } else {
                    pointer
                };
                self.errors.push(LoadError::new(
                    file,
                    location,
                    strip_position(&inner.to_string()),
                ));
                None
            }
        }
    }

    /// Reads a fixture named in `spec` at `pointer`, refusing paths that
    /// leave the fixtures directory.
    fn read_fixture(&mut self, spec: &Path, pointer: &str, fixture: &str) -> Option<Vec<u8>> {
        let relative = Path::new(fixture);
        let escapes = relative.is_absolute()
            || relative
                .components()
                .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
        if escapes || fixture.is_empty() {
            self.errors.push(LoadError::new(
                spec,
                pointer,
                format!(
                    "expected a path inside the fixtures directory ({}), got {fixture:?}",
                    self.source.fixtures.display()
                ),
            ));
            return None;
        }
        let path = self.source.fixtures.join(relative);
        // A symlink inside fixtures/ may still point outside it.
        if let (Some(root), Ok(real)) = (&self.fixtures_root, fs::canonicalize(&path))
            && !real.starts_with(root)
        {
            self.errors.push(LoadError::new(
                spec,
                pointer,
                format!(
                    "expected a fixture inside the fixtures directory, {fixture:?} leads outside it"
                ),
            ));
            return None;
        }
        match crate::files::read_regular(&path) {
            Ok(bytes) => Some(bytes),
            Err(e) => {
                self.errors.push(LoadError::new(
                    spec,
                    pointer,
                    format!("cannot read fixture {}: {e}", path.display()),
                ));
                None
            }
        }
    }

    fn parse_fixture_json(&mut self, fixture: &str, bytes: &[u8]) -> Option<Value> {
        match serde_json::from_slice(bytes) {
            Ok(value) => Some(value),
            Err(e) => {
                self.errors.push(LoadError::new(
                    &self.source.fixtures.join(fixture),
                    format!("line {}, column {}", e.line(), e.column()),
                    format!("expected JSON: {}", strip_position(&e.to_string())),
                ));
                None
            }
        }
    }
}

/// Whether HTTP lets a response with `status` carry a body (RFC 9110
/// 15.2, 15.3.5, 15.3.6, 15.4.5).
pub fn status_has_body(status: u16) -> bool {
    !matches!(status, 100..=199 | 204 | 205 | 304)
}

/// The `Docmock-Example` value of a response whose page shows no example:
/// `none` first, so that a client can match on it, then where the body
/// comes from (`none; from=same-type; endpoint="onlyoffice/get-x"`,
/// `none; from=no-data`, `none; from=unknown`), as structured-field
/// parameters (RFC 8941).
fn example_header(source: &ExampleSource) -> http::HeaderValue {
    let text = match source {
        ExampleSource::SameType { endpoint } => {
            // An id that a quoted string cannot carry as it is is left out
            // rather than mangled: the journal and `routes` name it whole.
            let quotable = endpoint.bytes().all(|b| (0x20..0x7f).contains(&b));
            if quotable {
                let escaped = endpoint.replace('\\', "\\\\").replace('"', "\\\"");
                format!("none; from=same-type; endpoint=\"{escaped}\"")
            } else {
                "none; from=same-type".to_string()
            }
        }
        ExampleSource::NoData => "none; from=no-data".to_string(),
        ExampleSource::Unknown => "none; from=unknown".to_string(),
        ExampleSource::Recorded { target, at } => {
            let mut text = "none; from=recorded".to_string();
            for (name, value) in [("target", target), ("at", at)] {
                if value.bytes().all(|b| (0x20..0x7f).contains(&b)) {
                    let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
                    text.push_str(&format!("; {name}=\"{escaped}\""));
                }
            }
            text
        }
    };
    http::HeaderValue::from_str(&text).unwrap_or(http::HeaderValue::from_static("none"))
}

/// `specs/onlyoffice/put-x.json` → `onlyoffice/put-x`.
fn endpoint_id(specs: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(specs).ok()?.with_extension("");
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment as S;
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            S::Seq { index } => pointer.push_str(&format!("/{index}")),
            S::Map { key } | S::Enum { variant: key } => {
                pointer.push('/');
                pointer.push_str(&escape_pointer(key));
            }
            S::Unknown => {}
        }
    }
    pointer
}

/// serde_json appends " at line L column C", which the location already says.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Equal but for trailing whitespace on lines and at the end, and line
/// endings. A documented example that was flattened (no line indented at
/// all, as some page renderings copy it) is compared without indentation.
pub fn same_xml_text(documented: &str, rendered: &[u8]) -> bool {
    let rendered = String::from_utf8_lossy(rendered);
    let (documented, rendered) = (normalise(documented), normalise(&rendered));
    let flattened = documented.len() > 1 && documented.iter().all(|l| !l.starts_with([' ', '\t']));
    if flattened {
        documented.len() == rendered.len()
            && documented
                .iter()
                .zip(&rendered)
                .all(|(a, b)| a.trim_start() == b.trim_start())
    } else {
        documented == rendered
    }
}

fn normalise(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

/// `line N` of the first line whose text differs, and both versions of it.
///
/// Lines are compared without their indentation first, because the
/// message shows them trimmed: a line that differs only in indentation
/// (a flattened page, or one indented by four) would otherwise be named
/// while looking identical, hiding the real difference further down. Only
/// when every line's text agrees is the first difference of indentation
/// named, saying so.
fn first_difference(documented: &str, rendered: &[u8]) -> String {
    let rendered = String::from_utf8_lossy(rendered);
    let (a, b) = (normalise(documented), normalise(&rendered));
    let text_differs = a
        .iter()
        .zip(b.iter())
        .position(|(x, y)| x.trim_start() != y.trim_start());
    let line = match text_differs {
        Some(line) => line,
        None if a.len() != b.len() => a.len().min(b.len()),
        None => {
            let Some(line) = a.iter().zip(b.iter()).position(|(x, y)| x != y) else {
                return "no line differs".into();
            };
            return format!(
                "line {}: only the indentation differs: documented {}, rendered {} (two spaces per level)",
                line + 1,
                indentation(a[line]),
                indentation(b[line])
            );
        }
    };
    let shown = |lines: &[&str]| {
        lines
            .get(line)
            .map(|l| format!("{:?}", l.trim()))
            .unwrap_or_else(|| "end of document".into())
    };
    format!(
        "line {}: documented {}, rendered {}",
        line + 1,
        shown(&a),
        shown(&b)
    )
}

/// The first line pair whose text (indentation aside) differs, trimmed;
/// `None` for a document that has ended.
fn first_differing_lines<'a>(
    documented: &'a [&'a str],
    rendered: &'a [&'a str],
) -> Option<(Option<&'a str>, Option<&'a str>)> {
    let line = documented
        .iter()
        .zip(rendered)
        .position(|(x, y)| x.trim_start() != y.trim_start())
        .or_else(|| {
            (documented.len() != rendered.len()).then(|| documented.len().min(rendered.len()))
        })?;
    let at = |lines: &'a [&'a str]| lines.get(line).map(|l| l.trim());
    Some((at(documented), at(rendered)))
}

/// What differs between the documented and the rendered XML at their first
/// differing line, in words that say what to do about it: only a page that
/// spells booleans, empty text or null otherwise needs `xml_literals`, and
/// only one that cases member names otherwise needs `xml_names`; a number
/// or a value that differs is the page's own disagreement.
fn what_differs(documented: &str, rendered: &[u8]) -> String {
    let rendered = String::from_utf8_lossy(rendered);
    let (a, b) = (normalise(documented), normalise(&rendered));
    let (documented, rendered) = match first_differing_lines(&a, &b) {
        Some((Some(documented), Some(rendered))) => (documented, rendered),
        Some(_) => {
            return "one document ends before the other: the page's JSON and XML examples \
                    disagree on the members"
                .into();
        }
        None => return "only the indentation differs".into(),
    };
    let (Some(doc), Some(ren)) = (XmlLine::parse(documented), XmlLine::parse(rendered)) else {
        return "the page's JSON and XML examples disagree here".into();
    };
    if doc.name != ren.name {
        return if doc.name.eq_ignore_ascii_case(ren.name) {
            "a member name is cased otherwise (a page whose XML cases names otherwise than its JSON \
             needs `xml_names`, `pascal` or `camel`, on its response)"
                .into()
        } else {
            "another element stands here: the page's JSON and XML examples disagree on the members \
             (one missing, added or moved)"
                .into()
        };
    }
    match (doc.content, ren.content) {
        (Content::Text(x), Content::Text(y)) => {
            let number = |t: &str| t.trim().parse::<f64>().ok();
            let boolean =
                |t: &str| t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("false");
            if number(x).is_some() && number(x) == number(y) {
                format!(
                    "the number {x} is written {y} (docmock writes numbers as .NET's \
                     XmlConvert.ToString(double) does, as the vendors' XML serialisers do; \
                     a decimal that keeps trailing zeros cannot be told from its JSON)"
                )
            } else if boolean(x) && x.eq_ignore_ascii_case(y) {
                format!(
                    "a boolean is spelled {x} (a page that spells booleans otherwise needs \
                     `xml_literals` `booleans` on its response)"
                )
            } else {
                "the value differs: the page's JSON and XML examples disagree here".into()
            }
        }
        (x, y) if x.is_empty_form() && y.is_empty_form() => {
            "empty text or null is written otherwise (a page that writes them otherwise needs \
             `xml_literals` `empty_string` or `null` on its response)"
                .into()
        }
        _ => "the element holds something else: the page's JSON and XML examples disagree here"
            .into(),
    }
}

/// One line of indented XML as the renderer writes it and the pages show
/// it, read just far enough to name what differs.
struct XmlLine<'a> {
    name: &'a str,
    content: Content<'a>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Content<'a> {
    /// `<a>text</a>`
    Text(&'a str),
    /// `<a />`
    SelfClosing,
    /// `<a i:nil="true" />`
    Nil,
    /// `<a></a>`
    Pair,
    /// `<a>` or `</a>`: the element goes on below.
    Tag,
}

impl Content<'_> {
    fn is_empty_form(self) -> bool {
        matches!(self, Content::SelfClosing | Content::Nil | Content::Pair)
    }
}

impl<'a> XmlLine<'a> {
    fn parse(line: &'a str) -> Option<XmlLine<'a>> {
        let inner = line.strip_prefix('<')?;
        let name_end = inner.find(|c: char| c.is_whitespace() || c == '>' || c == '/')?;
        let name = inner[..name_end].trim_start_matches('/');
        let name = if name.is_empty() {
            // `</a>`
            // After the `/` of an end tag; a line such as `< a>` (a
            // fixture need not be well-formed XML) has no name at all.
            inner
                .strip_prefix('/')?
                .split(|c: char| c == '>' || c.is_whitespace())
                .next()?
        } else {
            name
        };
        let head_end = inner.find('>')?;
        let head = &inner[..head_end];
        let rest = &inner[head_end + 1..];
        let content = if head.ends_with('/') {
            if head.contains("nil=\"true\"") {
                Content::Nil
            } else {
                Content::SelfClosing
            }
        } else if rest.is_empty() {
            Content::Tag
        } else {
            match rest.strip_suffix('>').and_then(|r| r.rsplit_once("</")) {
                Some(("", _)) => Content::Pair,
                Some((text, _)) => Content::Text(text),
                None => Content::Tag,
            }
        };
        Some(XmlLine { name, content })
    }
}

/// `4 spaces`, `1 tab`, `no indentation`: the leading blanks of `line`.
fn indentation(line: &str) -> String {
    let blanks = &line[..line.len() - line.trim_start().len()];
    let count = |c: char| blanks.chars().filter(|&b| b == c).count();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (count(' '), blanks.chars().count() - count(' ')) {
        (0, 0) => "no indentation".into(),
        (spaces, 0) => plural(spaces, "space"),
        (0, others) => plural(others, "tab"),
        (spaces, others) => format!("{} and {}", plural(spaces, "space"), plural(others, "tab")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endpoint_is_found_by_its_address_and_only_in_its_own_catalog() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let source = Source::new(dir.join("specs"), None);
        let catalog = Catalog::load(&source).expect("the bundled specs load");
        let other = Catalog::load(&source).expect("the bundled specs load");
        for (index, endpoint) in catalog.endpoints.iter().enumerate() {
            assert_eq!(catalog.index_of(endpoint), Some(index));
            assert_eq!(other.index_of(endpoint), None);
        }
    }

    #[test]
    fn path_templates_split_into_literals_and_params() {
        let t = PathTemplate::parse("/api/2.0/crm/contact/{contactid}/status").expect("valid");
        assert_eq!(t.segments.len(), 6);
        assert_eq!(t.segments[4], Segment::Param("contactid".into()));
        assert_eq!(t.params().collect::<Vec<_>>(), ["contactid"]);
    }

    #[test]
    fn path_templates_refuse_partial_and_repeated_params() {
        assert!(PathTemplate::parse("/a/file{id}.txt").is_err());
        assert!(PathTemplate::parse("/a/{id}/{id}").is_err());
        assert!(PathTemplate::parse("a/b").is_err());
        assert!(PathTemplate::parse("/a//b").is_err());
    }

    #[test]
    fn xml_comparison_ignores_trailing_whitespace_only() {
        assert!(same_xml_text(
            "<a>\n  <b />  \n</a>\n\n",
            b"<a>\n  <b />\n</a>"
        ));
        assert!(!same_xml_text(
            "<a>\n    <b />\n</a>",
            b"<a>\n  <b />\n</a>"
        ));
        assert!(!same_xml_text("<a>\n  <b/>\n</a>", b"<a>\n  <b />\n</a>"));
    }

    #[test]
    fn a_flattened_documented_example_is_compared_without_indentation() {
        assert!(same_xml_text("<a>\n<b />\n</a>", b"<a>\n  <b />\n</a>"));
        assert!(!same_xml_text("<a>\n<c />\n</a>", b"<a>\n  <b />\n</a>"));
    }

    #[test]
    fn the_difference_named_is_the_first_line_whose_text_differs() {
        // The documented example is flattened: line 2 differs from the
        // rendered one only in indentation, line 3 really differs.
        let message = first_difference(
            "<result>\n<status>0</status>\n<flag>True</flag>\n</result>",
            b"<result>\n  <status>0</status>\n  <flag>true</flag>\n</result>",
        );
        assert_eq!(
            message,
            "line 3: documented \"<flag>True</flag>\", rendered \"<flag>true</flag>\""
        );
    }

    #[test]
    fn the_example_header_puts_none_first_and_quotes_the_endpoint() {
        let header = |source: ExampleSource| {
            example_header(&source)
                .to_str()
                .map(str::to_string)
                .map_err(|_| "not visible ASCII")
        };
        assert_eq!(
            header(ExampleSource::NoData).as_deref(),
            Ok("none; from=no-data")
        );
        assert_eq!(
            header(ExampleSource::Unknown).as_deref(),
            Ok("none; from=unknown")
        );
        assert_eq!(
            header(ExampleSource::SameType {
                endpoint: "onlyoffice/get-\"x\"".into()
            })
            .as_deref(),
            Ok(r#"none; from=same-type; endpoint="onlyoffice/get-\"x\"""#)
        );
        assert_eq!(
            header(ExampleSource::SameType {
                endpoint: "r7/получить".into()
            })
            .as_deref(),
            Ok("none; from=same-type")
        );
        assert_eq!(
            header(ExampleSource::Recorded {
                target: "https://portal.example.com".into(),
                at: "2026-12-07T04:35:00Z".into()
            })
            .as_deref(),
            Ok(
                r#"none; from=recorded; target="https://portal.example.com"; at="2026-12-07T04:35:00Z""#
            )
        );
    }

    #[test]
    fn a_fixture_line_that_is_no_tag_is_told_without_a_panic() {
        // `<` then a space wider than one byte: no element name to read.
        let said = what_differs("<r>\n<\u{3000}a>1</a>\n</r>", b"<r>\n<a>2</a>\n</r>");
        assert_eq!(said, "the page's JSON and XML examples disagree here");
    }

    #[test]
    fn what_differs_says_what_to_do_about_it() {
        for (documented, rendered, expected) in [
            (
                "<result>\n  <BidValue>11.5</BidValue>\n</result>",
                "<result>\n  <BidValue>11.50</BidValue>\n</result>",
                "the number 11.5 is written 11.50",
            ),
            (
                "<result>\n  <a>True</a>\n</result>",
                "<result>\n  <a>true</a>\n</result>",
                "a boolean is spelled True (a page that spells booleans otherwise needs `xml_literals` `booleans`",
            ),
            (
                "<result>\n  <a></a>\n</result>",
                "<result>\n  <a />\n</result>",
                "empty text or null is written otherwise",
            ),
            (
                "<X>\n  <a i:nil=\"true\" />\n</X>",
                "<X>\n  <a />\n</X>",
                "empty text or null is written otherwise",
            ),
            (
                "<result>\n  <Title>x</Title>\n</result>",
                "<result>\n  <title>x</title>\n</result>",
                "a member name is cased otherwise",
            ),
            (
                "<result>\n  <a>x</a>\n</result>",
                "<result>\n  <a>y</a>\n</result>",
                "the value differs",
            ),
            (
                "<result>\n  <a>x</a>\n</result>",
                "<result>\n  <b>x</b>\n</result>",
                "another element stands here",
            ),
            (
                "<result>\n  <a>x</a>\n</result>",
                "<result>\n  <a>x</a>\n  <b>x</b>\n</result>",
                "another element stands here",
            ),
            (
                "<result>\n  <a>x</a>",
                "<result>\n  <a>x</a>\n</result>",
                "one document ends before the other",
            ),
            (
                "<a>\n    <b />\n</a>",
                "<a>\n  <b />\n</a>",
                "only the indentation differs",
            ),
        ] {
            let message = what_differs(documented, rendered.as_bytes());
            assert!(message.starts_with(expected), "{documented:?}: {message}");
        }
    }

    #[test]
    fn a_difference_of_indentation_alone_is_named_as_one() {
        let message = first_difference("<a>\n    <b />\n</a>", b"<a>\n  <b />\n</a>");
        assert_eq!(
            message,
            "line 2: only the indentation differs: documented 4 spaces, rendered 2 spaces (two spaces per level)"
        );
    }

    #[test]
    fn a_missing_line_is_named_at_the_end_of_the_shorter_document() {
        let message = first_difference("<a>\n  <b />\n</a>", b"<a>\n  <b />\n  <c />\n</a>");
        assert_eq!(message, "line 3: documented \"</a>\", rendered \"<c />\"");
        let message = first_difference("<a>\n  <b />", b"<a>\n  <b />\n</a>");
        assert_eq!(
            message,
            "line 3: documented end of document, rendered \"</a>\""
        );
    }
}
