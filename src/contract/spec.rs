//! The on-disk spec format: what `specs/<api>/api.json` and
//! `specs/<api>/**/<endpoint>.json` contain.
//!
//! These types mirror the files one to one so that `serde` does the parsing and
//! the importer can write them back byte for byte. Everything that needs
//! checking across files (fixtures, routes, schemas) happens in
//! [`crate::contract::catalog`], which turns these raw documents into a servable catalog.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use crate::contract::dialect::AuthFile;
use crate::contract::dialect::{DialectName, Formats};
pub use crate::contract::problem::Location;

/// `specs/<api>/api.json`: one vendor API mounted under one prefix.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ApiFile {
    /// Short name; must equal the directory name.
    pub name: String,
    /// Human title shown in route listings.
    pub title: String,
    /// Which vendor conventions apply (envelope, XML style, negotiation, auth).
    pub dialect: DialectName,
    /// Where the API is mounted when several APIs are served at once.
    pub prefix: String,
    /// Which credentials the API accepts; the dialect's default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<AuthFile>,
    /// Where the vendor's documentation lives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docs: Option<String>,
    /// Refuse requests that leave out a parameter the page does not mark
    /// optional (400), as `serve --strict` does for every API, instead of
    /// binding it to its default as the vendor's server does.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub strict: bool,
    /// Whose word decides the response format: `"server"` (the default,
    /// what the vendor's server does and clients expect) or `"documented"`
    /// (what the documentation says).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub formats: Option<Formats>,
}

/// `specs/<api>/**/<endpoint>.json`: one documented endpoint.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EndpointFile {
    /// HTTP method as documented (`GET`, `PUT`, …).
    pub method: String,
    /// Path template without the mount prefix, e.g.
    /// `/api/2.0/crm/contact/{contactid}/status`.
    pub path: String,
    /// One-line description from the page.
    #[serde(default)]
    pub summary: String,
    /// Whether the page says the endpoint requires authentication.
    #[serde(default)]
    pub auth: bool,
    /// Documented parameters, in page order.
    #[serde(default)]
    pub parameters: Vec<ParameterFile>,
    /// The documented example request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestFile>,
    /// The documented responses; the first is served unless `Prefer` asks
    /// for another.
    pub responses: Vec<ResponseFile>,
    /// The documentation page this spec was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// One row of the page's parameter table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ParameterFile {
    /// Parameter name as documented.
    pub name: String,
    /// Where it is sent.
    #[serde(rename = "in")]
    pub location: Location,
    /// Description from the page.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The type as the page words it (`number`, `int32`, `Bool value`, …).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub doc_type: Option<String>,
    /// JSON Schema the value must satisfy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<Value>,
    /// The documented example value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<Value>,
    /// Whether a request must carry it (path parameters always must).
    #[serde(default)]
    pub required: bool,
}

/// The documented example request.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RequestFile {
    /// Path and query of the example, without the mount prefix.
    pub target: String,
    /// Headers shown on the page, in page order.
    #[serde(default)]
    pub headers: Map<String, Value>,
    /// Fixture holding the example body, relative to the fixtures directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// One documented response.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ResponseFile {
    /// HTTP status.
    pub status: u16,
    /// Name for `Prefer: example=NAME`; the status code when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What the page says this response means.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Name of the returned type (`Contact`, `ContactEntityWithLinks`).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_name: Option<String>,
    /// Fixture with the documented JSON body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub json: Option<String>,
    /// Fixture with the documented XML body, the oracle for the XML renderer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xml: Option<String>,
    /// How the page's XML spells member names relative to its JSON, when
    /// it differs (`pascal`, `camel`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xml_names: Option<crate::contract::render::NameCase>,
    /// How the page's XML spells booleans, empty text and null, where it
    /// differs from the dialect (`{"booleans": "true/false", "empty_string":
    /// "pair"}`): pages of one vendor come from more than one serialiser.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xml_literals: Option<crate::contract::dialect::XmlLiterals>,
    /// Where the example body comes from when the page shows none; absent
    /// when the page documents it. Such a response is served all the same,
    /// so that the endpoint is, and marked as not documented wherever it
    /// shows (the `Docmock-Example` header, the journal, `routes`, `check`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<ExampleSource>,
}

/// Where an undocumented response's example comes from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(tag = "from", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ExampleSource {
    /// Another page of the same import documents an example of the same
    /// returned type; its fixtures were copied for this response
    /// (`{"from": "same-type", "endpoint": "onlyoffice/get-crm-contact-id"}`).
    SameType {
        /// The endpoint (`api/id`) whose documented example was taken.
        endpoint: String,
    },
    /// The page says the method returns no data: the dialect's empty
    /// success is generated (`{"from": "no-data"}`).
    NoData,
    /// Nothing says what is returned: the dialect's success envelope
    /// around `null` is generated (`{"from": "unknown"}`).
    Unknown,
    /// `docmock record` saw a live portal answer it: the answer is the
    /// fixture (`json` / `xml` as usual), credentials replaced by a marked
    /// placeholder. It is what one portal said once, not what the vendor
    /// documents, so it stays marked as not documented
    /// (`{"from": "recorded", "target": "https://portal.example.com",
    /// "at": "2026-12-07T04:35:00Z"}`).
    Recorded {
        /// The portal's base URL the answer came from.
        target: String,
        /// When the request was made, as RFC 3339 in UTC.
        at: String,
    },
}

impl ExampleSource {
    /// The `from` word of this source (`same-type`, `no-data`, `unknown`,
    /// `recorded`), as the spec spells it.
    pub fn from_word(&self) -> &'static str {
        match self {
            ExampleSource::SameType { .. } => "same-type",
            ExampleSource::NoData => "no-data",
            ExampleSource::Unknown => "unknown",
            ExampleSource::Recorded { .. } => "recorded",
        }
    }
}
