//! Per-vendor conventions: envelopes, XML style, format negotiation, auth and
//! the shape of error bodies.
//!
//! Everything that differs between ONLYOFFICE, R7-Office and SuperOffice is a
//! value in a [`Dialect`] table, so the rest of the pipeline stays
//! vendor-neutral and a new vendor is a new table rather than new branches.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::contract::problem::Problem;
use crate::contract::xml::XmlNode;

/// The dialect names accepted in `api.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DialectName {
    /// ONLYOFFICE Community Server / Workspace API.
    Onlyoffice,
    /// R7-Office, the Russian ONLYOFFICE derivative (camelCase, lower-case booleans).
    R7office,
    /// SuperOffice CRM WebAPI (REST).
    Superoffice,
}

impl DialectName {
    /// The conventions of this vendor.
    pub fn rules(self) -> &'static Dialect {
        match self {
            DialectName::Onlyoffice => &ONLYOFFICE,
            DialectName::R7office => &R7OFFICE,
            DialectName::Superoffice => &SUPEROFFICE,
        }
    }
}

/// Credentials an API accepts on endpoints that require authentication.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct AuthFile {
    /// Header name → accepted schemes (`Basic`, `Bearer`, …); an empty list
    /// accepts any value.
    #[serde(default)]
    pub headers: Map<String, Value>,
    /// Cookie names whose presence authenticates the request.
    #[serde(default)]
    pub cookies: Vec<String>,
}

/// A response body format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// JSON.
    Json,
    /// XML rendered from the JSON by the dialect's [`XmlStyle`].
    Xml,
}

/// Whose word decides the response format of an API: `"formats"` in
/// `api.json`, or `serve --formats`.
///
/// The vendors' documentation and their servers disagree: ONLYOFFICE's and
/// R7-Office's "Basic concepts" pages say XML is the default and `Accept`
/// chooses, while Community Server answers JSON unless the path ends in
/// `.xml` and never reads `Accept`. Clients are written against the server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Formats {
    /// As the vendor's server chooses ([`Dialect::server_formats`]).
    #[default]
    Server,
    /// As the documentation says: a path suffix, else `Accept`, else the
    /// documented default ([`Dialect::default_format`]); an `Accept` that
    /// names nothing servable gets 406.
    Documented,
}

impl std::str::FromStr for Formats {
    type Err = String;

    fn from_str(text: &str) -> Result<Formats, String> {
        match text {
            "server" => Ok(Formats::Server),
            "documented" => Ok(Formats::Documented),
            _ => Err(format!("expected `server` or `documented`, got {text:?}")),
        }
    }
}

/// How a vendor's server picks the response format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerFormats {
    /// ONLYOFFICE Community Server: XML only when the path ends in `.xml` or
    /// `.tml` and the request's `Content-Type` media type is not
    /// `application/json`; JSON otherwise. `Accept` is never read.
    ///
    /// Community Server: `module/ASC.Api/ASC.Api/Impl/Serializers/JsonNetSerializer.cs`
    /// (`IsXmlRequest(request, contentType)`: `(ext == ".tml" || ext ==
    /// ".xml") && !StringUtils.IsContentType(Constants.JsonContentType,
    /// contentType)`), `module/ASC.Api/ASC.Api/Utils/StringUtils.cs`
    /// (`IsContentType` compares `new ContentType(contentType).MediaType`),
    /// fed the request path and `Content-Type` by
    /// `Impl/Serializers/SerializerResponder.cs`.
    PathExtension,
    /// ASP.NET content negotiation: `Accept` chooses among the formatters,
    /// and an `Accept` that names none of them gets the first, JSON, rather
    /// than 406 (ASP.NET Core: `MvcOptions.ReturnHttpNotAcceptable` is
    /// false by default, so `DefaultOutputFormatterSelector` falls back to
    /// the first formatter that can write the result; ASP.NET Web API 2's
    /// `DefaultContentNegotiator` does the same with `ExcludeMatchOnTypeOnly`
    /// false). The SuperOffice Python SDK sends `Accept: aplication/json`.
    AcceptElseJson,
}

/// How the success body is wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Envelope {
    /// `{"status":0,"response":…}` (ONLYOFFICE, R7-Office).
    StatusResponse,
    /// The entity itself at top level (SuperOffice).
    Bare,
}

/// How an XML element with no content is written.
///
/// Spelled `self-closing`, `pair` and `nil` in a response's
/// [`XmlLiterals`] override.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EmptyForm {
    /// `<City />`
    SelfClosing,
    /// `<about></about>`
    Pair,
    /// `<City i:nil="true" />` (.NET DataContract nulls)
    Nil,
}

/// How `true` and `false` are spelled in XML.
///
/// Spelled as the texts themselves in a spec file (`"True/False"`,
/// `"true/false"`), so that the override reads like the XML it describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Booleans {
    /// `True` / `False`, as .NET's `Boolean.ToString` writes them (the
    /// older ONLYOFFICE serialiser).
    #[serde(rename = "True/False")]
    Capitalised,
    /// `true` / `false`, as XML Schema's `xs:boolean` (R7-Office, the newer
    /// ONLYOFFICE serialisers, SuperOffice).
    #[serde(rename = "true/false")]
    Lower,
}

impl Booleans {
    /// The texts of `true` and `false`.
    pub fn texts(self) -> (&'static str, &'static str) {
        match self {
            Booleans::Capitalised => ("True", "False"),
            Booleans::Lower => ("true", "false"),
        }
    }
}

/// A documented response's own XML literal conventions, where they differ
/// from its dialect's: one vendor's pages are written by more than one
/// serialiser (ONLYOFFICE's camelCase pages spell booleans `true` and empty
/// text `<about></about>` as R7-Office does, its PascalCase pages `True`
/// and `<City />`), so the dialect alone cannot say how a page's XML reads.
///
/// Each member left out keeps the dialect's convention.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an object with any of `booleans` (\"True/False\" or \"true/false\"), `empty_string` and `null` (\"self-closing\", \"pair\" or \"nil\")"
)]
pub struct XmlLiterals {
    /// How booleans are spelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booleans: Option<Booleans>,
    /// How `""` is written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub empty_string: Option<EmptyForm>,
    /// How `null` is written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub null: Option<EmptyForm>,
}

impl XmlLiterals {
    /// Whether no convention is overridden.
    pub fn is_empty(&self) -> bool {
        *self == XmlLiterals::default()
    }

    /// Only the members that differ from `style`'s conventions: what an
    /// override needs to say.
    pub fn differing_from(self, style: &XmlStyle) -> XmlLiterals {
        XmlLiterals {
            booleans: self.booleans.filter(|b| b.texts().0 != style.true_text),
            empty_string: self.empty_string.filter(|&f| f != style.empty_string),
            null: self.null.filter(|&f| f != style.null),
        }
    }
}

/// How a JSON array becomes XML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrayForm {
    /// The element repeated under the property name, no wrapper
    /// (`<Tags>Tag1</Tags><Tags>Tag2</Tags>`).
    Repeated,
    /// A wrapper element named after the property holding one element per
    /// item, named after the item's DataContract type
    /// (`<Domains><string>nemo</string></Domains>`).
    Wrapped,
}

/// How the document element is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XmlRoot {
    /// Always this element (`<result>`).
    Fixed(&'static str),
    /// The returned type's name (`<ContactEntityWithLinks>`), with these
    /// namespace declarations; the fallback name when the spec names no type.
    TypeName {
        /// Name used when the response documents no type.
        fallback: &'static str,
        /// `xmlns…` attributes written on the root.
        namespaces: &'static [(&'static str, &'static str)],
    },
}

/// The vendor's XML serialisation rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XmlStyle {
    /// Document element naming.
    pub root: XmlRoot,
    /// Text of `true`.
    pub true_text: &'static str,
    /// Text of `false`.
    pub false_text: &'static str,
    /// How `""` is written.
    pub empty_string: EmptyForm,
    /// How `null` is written.
    pub null: EmptyForm,
    /// How arrays are written.
    pub arrays: ArrayForm,
}

impl XmlStyle {
    /// This style with a response's literal conventions in place of the
    /// dialect's.
    pub fn with_literals(&self, literals: &XmlLiterals) -> XmlStyle {
        let (true_text, false_text) = match literals.booleans {
            Some(booleans) => booleans.texts(),
            None => (self.true_text, self.false_text),
        };
        XmlStyle {
            true_text,
            false_text,
            empty_string: literals.empty_string.unwrap_or(self.empty_string),
            null: literals.null.unwrap_or(self.null),
            ..*self
        }
    }
}

/// Everything docmock needs to know about one vendor.
#[derive(Debug)]
pub struct Dialect {
    /// Display name.
    pub title: &'static str,
    /// Success envelope.
    pub envelope: Envelope,
    /// XML rules.
    pub xml: XmlStyle,
    /// Format when the request names none (no suffix, no usable `Accept`),
    /// as the documentation says.
    pub default_format: Format,
    /// How the vendor's server picks the format, followed unless the API
    /// asks for [`Formats::Documented`].
    pub server_formats: ServerFormats,
    /// Whether `.json` / `.xml` / `.tml` on the last path segment selects
    /// the format.
    pub path_suffix: bool,
    /// Media types accepted in `Accept` that select JSON.
    pub json_media_types: &'static [&'static str],
    /// Media types accepted in `Accept` that select XML.
    pub xml_media_types: &'static [&'static str],
    /// Media type answered for XML when the request did not name one.
    pub xml_content_type: &'static str,
    /// Credentials accepted when `api.json` says nothing.
    default_auth: fn() -> AuthFile,
    /// `Content-Type`s accepted for request bodies.
    pub request_media_types: &'static [&'static str],
    /// Whether body parameters may also be sent in the query string, as the
    /// ONLYOFFICE API binds them from either.
    pub query_binds_body: bool,
    /// Whether a list in the query string may be one comma-separated value
    /// (`?secondaryTicketIds=670,272`), as SuperOffice's pages write lists
    /// and its server reads them; repeated keys are read either way.
    pub query_lists_by_comma: bool,
    /// Whether a PUT, POST or PATCH of an endpoint that documents a body must
    /// send one (SuperOffice: "Entity to save is not in request body").
    pub entity_body_required: bool,
    /// The query parameter that trims responses to the listed fields,
    /// nulling the rest (SuperOffice's `$select`).
    pub select_param: Option<&'static str>,
    /// The entity field that `If-Unmodified-Since` is compared with.
    pub last_modified_field: Option<&'static str>,
    /// `WWW-Authenticate` sent with 401 answers.
    pub www_authenticate: Option<&'static str>,
    /// How the vendor's router tells apart routes that have path
    /// parameters of different types at the same place.
    pub route_constraints: RouteConstraints,
    /// The vendor's login endpoint, which every API of the dialect serves
    /// whether or not its spec directory documents it.
    pub login: Option<Login>,
    /// Whether a tenant or virtual-directory segment may stand before the
    /// templates' paths (`/Cust12345/api/v1/Contact/5`), as SuperOffice
    /// installations put one there.
    pub tenant_segment: bool,
}

/// A vendor's login: the endpoint that trades a user name and password for
/// a token the other endpoints then accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Login {
    /// Path template without the mount prefix.
    pub path: &'static str,
    /// The credential fields of the request body, as documented.
    pub fields: &'static [&'static str],
    /// The status of a successful login.
    pub status: u16,
    /// When the token handed out expires: a fixed date far ahead, so that
    /// answers stay the same from run to run and a client that checks
    /// expiry keeps the token.
    pub expires: &'static str,
}

impl Login {
    /// Whether `method` and `path` (a template without the mount prefix)
    /// are this login, ignoring case as the vendors' routing does.
    pub fn is(&self, method: &str, path: &str) -> bool {
        method == "POST" && path.eq_ignore_ascii_case(self.path)
    }

    /// The success body handing out `token`, in the vendor's envelope.
    ///
    /// Community Server: `module/ASC.Api/ASC.Specific/AuthorizationApi/
    /// AuthenticationTokenData.cs` writes `token` then `expires`, and the
    /// envelope puts `count`, `status`, `statusCode`, `response` in that
    /// order (`ApiStandartResponce` `[DataMember(Order)]`).
    pub fn success(&self, token: &str) -> Value {
        json!({
            "count": 1,
            "status": 0,
            "statusCode": self.status,
            "response": {"token": token, "expires": self.expires},
        })
    }
}

/// The token handed out by a login when `serve --token` names none: the
/// credential docmock's curl lines send.
pub const DEFAULT_TOKEN: &str = "docmock";

/// `body` (a login's success body) with `token` in place of the one it
/// hands out: `serve --token` accepts only its own token, so the login
/// must hand out that one for a client that logs in first to work.
pub fn with_token(body: &Value, token: &str) -> Value {
    let mut body = body.clone();
    if let Some(slot) = body.pointer_mut("/response/token") {
        *slot = Value::from(token);
    }
    body
}

/// How a vendor's router constrains path parameters by type, which decides
/// whether `List/{id}` and `List/{name}` can both be served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteConstraints {
    /// ONLYOFFICE Community Server writes regex constraints into its route
    /// attributes, on integer ids only (`[Read(@"contact/{contactid:[0-9]+}")]`,
    /// `module/ASC.Api/ASC.Api.CRM/CRMApi.Contacts.cs`): an integer parameter
    /// takes a run of ASCII digits of any length, anything else is
    /// unconstrained.
    IntegerDigits,
    /// ASP.NET Web API's typed constraints (`{id:int}`, `{id:long}`,
    /// `{x:double}`, `{x:bool}`, `{x:guid}`), each taking what the .NET
    /// type's `TryParse` takes: a sign, and only values in the type's range
    /// (`src/Common/Routing/Constraints/IntRouteConstraint.cs` in
    /// aspnet/AspNetWebStack).
    Typed,
}

const JSON_TYPES: &[&str] = &["application/json", "text/json"];
const XML_TYPES: &[&str] = &["application/xml", "text/xml"];

static ONLYOFFICE: Dialect = Dialect {
    title: "ONLYOFFICE",
    envelope: Envelope::StatusResponse,
    xml: XmlStyle {
        root: XmlRoot::Fixed("result"),
        true_text: "True",
        false_text: "False",
        empty_string: EmptyForm::SelfClosing,
        null: EmptyForm::SelfClosing,
        arrays: ArrayForm::Repeated,
    },
    default_format: Format::Xml,
    server_formats: ServerFormats::PathExtension,
    path_suffix: true,
    json_media_types: JSON_TYPES,
    xml_media_types: XML_TYPES,
    xml_content_type: "text/xml",
    default_auth: onlyoffice_auth,
    request_media_types: &[
        "application/json",
        "text/json",
        "application/x-www-form-urlencoded",
        "application/xml",
        "text/xml",
    ],
    query_binds_body: true,
    query_lists_by_comma: false,
    entity_body_required: false,
    select_param: None,
    last_modified_field: None,
    www_authenticate: None,
    route_constraints: RouteConstraints::IntegerDigits,
    // Community Server: `module/ASC.Api/ASC.Specific/AuthorizationApi/
    // AuthenticationEntryPoint.cs`, `[Create(@"", false, false)]` on the
    // `authentication` entry point: a POST, so 201, and no auth required.
    login: Some(Login {
        path: "/api/2.0/authentication",
        fields: &["userName", "password"],
        status: 201,
        expires: "2099-12-31T23:59:59.0000000+00:00",
    }),
    tenant_segment: false,
};

static R7OFFICE: Dialect = Dialect {
    title: "R7-Office",
    xml: XmlStyle {
        true_text: "true",
        false_text: "false",
        empty_string: EmptyForm::Pair,
        ..ONLYOFFICE.xml
    },
    ..ONLYOFFICE
};

static SUPEROFFICE: Dialect = Dialect {
    title: "SuperOffice",
    envelope: Envelope::Bare,
    xml: XmlStyle {
        root: XmlRoot::TypeName {
            fallback: "Result",
            namespaces: &[("xmlns:i", "http://www.w3.org/2001/XMLSchema-instance")],
        },
        true_text: "true",
        false_text: "false",
        empty_string: EmptyForm::Pair,
        null: EmptyForm::Nil,
        arrays: ArrayForm::Wrapped,
    },
    default_format: Format::Json,
    server_formats: ServerFormats::AcceptElseJson,
    path_suffix: false,
    json_media_types: &[
        "application/json",
        "text/json",
        "application/json-patch+json",
        "application/merge-patch+json",
    ],
    xml_media_types: XML_TYPES,
    xml_content_type: "application/xml",
    default_auth: superoffice_auth,
    request_media_types: &[
        "application/json",
        "text/json",
        "application/xml",
        "text/xml",
        "application/x-www-form-urlencoded",
        "application/json-patch+json",
        "application/merge-patch+json",
    ],
    query_binds_body: false,
    query_lists_by_comma: true,
    entity_body_required: true,
    select_param: Some("$select"),
    last_modified_field: Some("UpdatedDate"),
    www_authenticate: Some("Basic realm=\"SuperOffice Username or Ticket\""),
    route_constraints: RouteConstraints::Typed,
    // SuperOffice authenticates with tickets from its own SoTicket, Bearer
    // (OAuth) or Basic schemes; it has no login endpoint in the REST API.
    login: None,
    // Online tenants (`/Cust12345/api/v1/…`) and on-site virtual
    // directories (`/SuperOffice/api/v1/…`) stand before `api/v1`.
    tenant_segment: true,
};

fn onlyoffice_auth() -> AuthFile {
    let mut headers = Map::new();
    headers.insert("Authorization".into(), json!([]));
    AuthFile {
        headers,
        cookies: vec!["asc_auth_key".into()],
    }
}

fn superoffice_auth() -> AuthFile {
    let mut headers = Map::new();
    headers.insert(
        "Authorization".into(),
        json!(["Basic", "SoTicket", "Bearer"]),
    );
    headers.insert("X-XSRF-TOKEN".into(), json!([]));
    AuthFile {
        headers,
        cookies: Vec::new(),
    }
}

impl Dialect {
    /// The credentials accepted when `api.json` does not list them.
    pub fn default_auth(&self) -> AuthFile {
        (self.default_auth)()
    }

    /// The error body for `problem` in this vendor's shape, as a JSON value
    /// that the renderer turns into either format.
    ///
    /// ONLYOFFICE and R7-Office answer as their `ApiStandartResponce` does on
    /// an exception: `status` 1, the HTTP status as `statusCode`, and an
    /// `error` object with the innermost exception's `message`, `hresult` and
    /// `data` (`count`, `startIndex` and `response` are left out because the
    /// server omits default values). SuperOffice answers with its WebAPI error
    /// object (`Error`, `ErrorType`, `ErrorMessage`, `ErrorSource`). In both,
    /// docmock adds every violation so that nothing hides behind the first.
    pub fn error_body(&self, problem: &Problem) -> Value {
        let message = problem.full_message();
        // The document is strings, numbers and maps with string keys, which
        // always make a value.
        serde_json::to_value(self.error_document(problem, &message)).unwrap_or_default()
    }

    /// [`Dialect::error_body`] as JSON text, the bytes
    /// [`crate::contract::render::to_json`] makes of it. A refused request's error is
    /// the one body made up per request rather than rendered at load, and
    /// writing it straight from `problem` saves building and dropping the
    /// value, which was most of the cost of answering.
    pub fn error_json(&self, problem: &Problem) -> Vec<u8> {
        let message = problem.full_message();
        let mut out = Vec::with_capacity(192 + message.len() * 2);
        // Writing into a `Vec` cannot fail, and the document always
        // serialises (see `error_body`).
        let _ = serde_json::to_writer(&mut out, &self.error_document(problem, &message));
        out
    }

    fn error_document<'a>(&self, problem: &'a Problem, message: &'a str) -> ErrorDocument<'a> {
        let exception = Exception::for_status(problem.status);
        let violations = ViolationList {
            violations: &problem.violations,
            pascal: self.envelope == Envelope::Bare,
        };
        match self.envelope {
            Envelope::StatusResponse => ErrorDocument::Standard(StandardError {
                status: 1,
                status_code: problem.status,
                error: StandardErrorDetail {
                    message,
                    hresult: exception.hresult,
                    data: Nothing {},
                    violations,
                },
            }),
            Envelope::Bare => ErrorDocument::WebApi(WebApiError {
                error: true,
                error_type: exception.superoffice_type,
                error_message: message,
                error_source: "docmock",
                violations,
            }),
        }
    }

    /// What the vendor's server answers with `status` for a method that
    /// returns nothing ("This method doesn't return any data."), when the
    /// status carries a body at all; `None` is no body.
    ///
    /// ONLYOFFICE and R7-Office: the Community Server puts an empty object
    /// in `response` when the method returned nothing
    /// (`module/ASC.Api/ASC.Api/Impl/ApiHttpHandlerBase.cs`,
    /// `PostProcessResponse`: `ApiResponce.Response = new object()`), and
    /// writes `status` and `statusCode` around it (see
    /// [`Dialect::success_envelope`]): `{"status":0,"statusCode":200,
    /// "response":{}}`, `<response />` in XML.
    ///
    /// SuperOffice: its ASP.NET Web API answers a `void` action with no
    /// body at all (204 No Content), so no body is written whatever status
    /// the spec gives.
    pub fn empty_success(&self, status: u16) -> Option<Value> {
        match self.envelope {
            Envelope::StatusResponse => {
                Some(self.success_envelope(status, Value::Object(Map::new())))
            }
            Envelope::Bare => None,
        }
    }

    /// The success envelope around `null`: docmock's answer for a method
    /// whose page shows no example and names nothing it could borrow one
    /// from, in the vendor's success shape so that a client's envelope
    /// handling runs (SuperOffice has no envelope: the body is `null`).
    pub fn success_around_null(&self, status: u16) -> Value {
        match self.envelope {
            Envelope::StatusResponse => self.success_envelope(status, Value::Null),
            Envelope::Bare => Value::Null,
        }
    }

    /// `response` in ONLYOFFICE's success envelope, as the Community
    /// Server writes it (`module/ASC.Api/ASC.Api/Impl/ApiStandartResponce.cs`,
    /// members in `[DataMember(Order)]` order): `status` 0, then
    /// `statusCode` with the HTTP status, then `response`.
    ///
    /// The documented examples show only `status` and `response`: the
    /// documentation's generator leaves `statusCode` out of every page,
    /// while the server sends it with every answer. A body that no page
    /// documents has no example to follow, so it follows the server; a
    /// client that reads `status` and `response`, as the pages teach,
    /// reads it the same. `count` is left out, as the server leaves it out
    /// when it is 0.
    fn success_envelope(&self, status: u16, response: Value) -> Value {
        json!({"status": 0, "statusCode": status, "response": response})
    }

    /// Type name the XML root of an error body gets under a
    /// [`XmlRoot::TypeName`] dialect.
    pub fn error_type_name(&self) -> &'static str {
        "WebApiError"
    }

    /// The vendor's error envelope in a JSON body, recognised by the members
    /// [`Dialect::error_body`] writes (a round-trip test keeps the two in
    /// step), so that a portal answering with its error where an entity
    /// was expected is reported as that rather than as missing fields.
    ///
    /// ONLYOFFICE and R7-Office: a `status` other than `0` (or `"ok"`),
    /// unless the body still carries a `response` and no `error`; a
    /// `status` that is neither a number nor text is not this envelope.
    /// SuperOffice: `"Error": true` with an `ErrorType` or `ErrorMessage`.
    pub fn read_error(&self, body: &Value) -> Option<ErrorEnvelope> {
        let object = body.as_object()?;
        match self.envelope {
            Envelope::StatusResponse => {
                let status = object.get("status")?;
                let ok = match status {
                    Value::Number(n) => n.as_f64() == Some(0.0),
                    Value::String(s) => is_ok_status(s),
                    _ => return None,
                };
                if ok || (!object.contains_key("error") && object.contains_key("response")) {
                    return None;
                }
                Some(ErrorEnvelope {
                    status: Some(status.to_string()),
                    code: object.get("statusCode").map(Value::to_string),
                    message: object
                        .get("error")
                        .and_then(|e| e.get("message"))
                        .and_then(Value::as_str)
                        .map(str::to_string),
                })
            }
            Envelope::Bare => {
                let flagged = object.get("Error") == Some(&Value::Bool(true))
                    && (object.contains_key("ErrorType") || object.contains_key("ErrorMessage"));
                flagged.then(|| ErrorEnvelope {
                    status: None,
                    code: None,
                    message: object
                        .get("ErrorMessage")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                })
            }
        }
    }

    /// [`Dialect::read_error`] for an XML document: `<status>` other than
    /// `0` (or `Ok`) with an `<error>` element or without `<response>`.
    ///
    /// SuperOffice's pages show no XML error, so what docmock writes for one
    /// is its own .NET-style choice rather than a shape to expect from a
    /// live portal: nothing is recognised there.
    pub fn read_xml_error(&self, root: &XmlNode) -> Option<ErrorEnvelope> {
        if self.envelope != Envelope::StatusResponse {
            return None;
        }
        let child = |name: &str| root.children.iter().find(|c| c.name == name);
        let status = child("status")?.text.trim().to_string();
        if is_ok_status(&status) {
            return None;
        }
        if child("error").is_none() && child("response").is_some() {
            return None;
        }
        Some(ErrorEnvelope {
            status: Some(status),
            code: child("statusCode").map(|c| c.text.clone()),
            message: child("error").and_then(xml_error_message),
        })
    }
}

/// What a vendor's error envelope says, as [`Dialect::read_error`] and
/// [`Dialect::read_xml_error`] found it: the parts a report quotes, in the
/// body's own notation (a JSON `status` as JSON text, `"1"` with its
/// quotes, an XML one as the element's text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorEnvelope {
    /// ONLYOFFICE's `status`; SuperOffice's error has none.
    pub status: Option<String>,
    /// ONLYOFFICE's `statusCode` (the HTTP status the server meant).
    pub code: Option<String>,
    /// ONLYOFFICE's `error.message`, SuperOffice's `ErrorMessage`, as sent
    /// (possibly empty).
    pub message: Option<String>,
}

/// Whether an ONLYOFFICE `status` text means success (`0`, or `ok` in any
/// case), one test for the JSON and the XML reader so that both accept the
/// same spellings.
fn is_ok_status(text: &str) -> bool {
    let text = text.trim();
    text == "0" || text.eq_ignore_ascii_case("ok")
}

/// The first `message` / `ErrorMessage` element's text in an XML error:
/// the element itself, a member of it, or a member of an error element in
/// it, which is where the vendors put an error's message. An entity's own
/// `Message` members further down are content, not an error.
pub fn xml_error_message(root: &XmlNode) -> Option<String> {
    let named = |n: &XmlNode| {
        (n.name.eq_ignore_ascii_case("message") || n.name.eq_ignore_ascii_case("errormessage"))
            && !n.text.trim().is_empty()
    };
    let is_error = |n: &XmlNode| n.name.to_ascii_lowercase().contains("error");
    std::iter::once(root)
        .chain(&root.children)
        .chain(
            root.children
                .iter()
                .filter(|c| is_error(c))
                .flat_map(|c| &c.children),
        )
        .find(|n| named(n))
        .map(|n| n.text.clone())
}

/// An error body in one vendor's shape (see [`Dialect::error_body`]), in
/// the member order the vendor's server writes.
#[derive(Serialize)]
#[serde(untagged)]
enum ErrorDocument<'a> {
    Standard(StandardError<'a>),
    WebApi(WebApiError<'a>),
}

/// ONLYOFFICE's and R7-Office's `ApiStandartResponce` for an exception.
#[derive(Serialize)]
struct StandardError<'a> {
    status: u8,
    #[serde(rename = "statusCode")]
    status_code: u16,
    error: StandardErrorDetail<'a>,
}

#[derive(Serialize)]
struct StandardErrorDetail<'a> {
    message: &'a str,
    hresult: i64,
    data: Nothing,
    violations: ViolationList<'a>,
}

/// An empty JSON object.
#[derive(Serialize)]
struct Nothing {}

/// SuperOffice's WebAPI error object.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct WebApiError<'a> {
    error: bool,
    error_type: &'static str,
    error_message: &'a str,
    error_source: &'static str,
    violations: ViolationList<'a>,
}

/// The violations, with member names cased as the rest of the body.
struct ViolationList<'a> {
    violations: &'a [crate::contract::problem::Violation],
    pascal: bool,
}

impl Serialize for ViolationList<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};

        /// One violation as a four-member object.
        struct Entry<'v>(&'v crate::contract::problem::Violation, bool);
        impl Serialize for Entry<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let Entry(violation, pascal) = *self;
                let key = |camel, pascal_case| if pascal { pascal_case } else { camel };
                let mut map = serializer.serialize_map(Some(4))?;
                map.serialize_entry(key("in", "In"), violation.location.as_str())?;
                map.serialize_entry(key("pointer", "Pointer"), &violation.pointer)?;
                map.serialize_entry(key("expected", "Expected"), &violation.expected)?;
                map.serialize_entry(key("got", "Got"), &violation.got)?;
                map.end()
            }
        }

        let mut list = serializer.serialize_seq(Some(self.violations.len()))?;
        for violation in self.violations {
            list.serialize_element(&Entry(violation, self.pascal))?;
        }
        list.end()
    }
}

/// What a vendor's .NET server reports for an HTTP status.
struct Exception {
    /// `Exception.HResult` of the exception ONLYOFFICE would have caught.
    hresult: i64,
    /// `ErrorType` SuperOffice reports.
    superoffice_type: &'static str,
}

impl Exception {
    fn for_status(status: u16) -> Exception {
        // HRESULTs of the .NET exceptions behind each status: ArgumentException,
        // AuthenticationException, SecurityException, HttpException (E_FAIL),
        // NotSupportedException, and System.Exception (COR_E_EXCEPTION).
        let (hresult, superoffice_type) = match status {
            400 | 413 | 415 => (-2147024809, "ArgumentException"),
            401 => (-2146233087, "SoAuthenticationException"),
            403 => (-2146233078, "SoSecurityException"),
            404 => (-2147467259, "SoNotFoundException"),
            405 | 406 => (-2146233067, "NotSupportedException"),
            412 => (-2146233087, "SoConcurrencyException"),
            _ => (-2146233088, "Exception"),
        };
        Exception {
            hresult,
            superoffice_type,
        }
    }
}

/// The standard reason phrase of `status`.
pub fn reason_phrase(status: u16) -> &'static str {
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::problem::Location;
    use crate::contract::problem::Violation;

    #[test]
    fn the_login_is_the_documented_post_in_any_case_and_answers_in_the_envelope() {
        let login = ONLYOFFICE.login.expect("ONLYOFFICE has a login");
        assert!(login.is("POST", "/api/2.0/authentication"));
        assert!(login.is("POST", "/API/2.0/Authentication"));
        assert!(!login.is("GET", "/api/2.0/authentication"));
        assert!(!login.is("POST", "/api/2.0/authentication/setphone"));
        assert_eq!(R7OFFICE.login, ONLYOFFICE.login);
        assert_eq!(SUPEROFFICE.login, None);
        let body = login.success("t");
        assert_eq!(
            body.to_string(),
            r#"{"count":1,"status":0,"statusCode":201,"response":{"token":"t","expires":"2099-12-31T23:59:59.0000000+00:00"}}"#
        );
        assert_eq!(with_token(&body, "other")["response"]["token"], "other");
        // A body without a token is left as it is.
        assert_eq!(with_token(&json!({"status": 0}), "x"), json!({"status": 0}));
    }

    fn problem() -> Problem {
        Problem::new(400, "the request breaks the documented contract.").with_violations(vec![
            Violation {
                location: Location::Path,
                pointer: "/contactid".into(),
                expected: "an integer".into(),
                got: Some("\"a\\b\u{1}ü\"".into()),
            },
            Violation {
                location: Location::Body,
                pointer: String::new(),
                expected: "a body".into(),
                got: None,
            },
        ])
    }

    const DIALECTS: [DialectName; 3] = [
        DialectName::Onlyoffice,
        DialectName::R7office,
        DialectName::Superoffice,
    ];

    #[test]
    fn the_error_json_is_the_error_body_rendered() {
        for name in DIALECTS {
            let dialect = name.rules();
            let problem = problem();
            assert_eq!(
                String::from_utf8(dialect.error_json(&problem)).expect("UTF-8"),
                String::from_utf8(crate::contract::render::to_json(
                    &dialect.error_body(&problem)
                ))
                .expect("UTF-8"),
                "{name:?}"
            );
        }
    }

    #[test]
    fn error_bodies_have_the_vendors_shapes() {
        let message = "the request breaks the documented contract: \
            path /contactid: expected an integer, got \"a\\b\u{1}ü\"; body /: expected a body, got nothing";
        assert_eq!(
            ONLYOFFICE.error_body(&problem()),
            json!({
                "status": 1,
                "statusCode": 400,
                "error": {
                    "message": message,
                    "hresult": -2147024809_i64,
                    "data": {},
                    "violations": [
                        {"in": "path", "pointer": "/contactid", "expected": "an integer", "got": "\"a\\b\u{1}ü\""},
                        {"in": "body", "pointer": "", "expected": "a body", "got": null}
                    ]
                }
            })
        );
        let body = SUPEROFFICE.error_body(&problem());
        assert_eq!(
            body,
            json!({
                "Error": true,
                "ErrorType": "ArgumentException",
                "ErrorMessage": message,
                "ErrorSource": "docmock",
                "Violations": [
                    {"In": "path", "Pointer": "/contactid", "Expected": "an integer", "Got": "\"a\\b\u{1}ü\""},
                    {"In": "body", "Pointer": "", "Expected": "a body", "Got": null}
                ]
            })
        );
        let order: Vec<&str> = body
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            order,
            [
                "Error",
                "ErrorType",
                "ErrorMessage",
                "ErrorSource",
                "Violations"
            ]
        );
    }

    #[test]
    fn what_error_body_writes_is_read_back_as_the_vendors_error() {
        let problem = problem();
        for name in DIALECTS {
            let dialect = name.rules();
            let body = dialect.error_body(&problem);
            let read = dialect.read_error(&body);
            let expected = match dialect.envelope {
                Envelope::StatusResponse => ErrorEnvelope {
                    status: Some("1".into()),
                    code: Some("400".into()),
                    message: Some(problem.full_message()),
                },
                Envelope::Bare => ErrorEnvelope {
                    status: None,
                    code: None,
                    message: Some(problem.full_message()),
                },
            };
            assert_eq!(read, Some(expected.clone()), "{name:?}: {body}");

            // The XML the renderer makes of it, where the dialect's XML
            // error is read at all.
            let xml = crate::contract::render::to_xml(
                &dialect.xml,
                &body,
                Some(dialect.error_type_name()),
            );
            let root = crate::contract::xml::parse_xml(&xml).expect("well-formed");
            let read = dialect.read_xml_error(&root);
            // A character XML does not allow is written as U+FFFD.
            let expected = ErrorEnvelope {
                message: expected.message.map(|m| m.replace('\u{1}', "\u{fffd}")),
                ..expected
            };
            match dialect.envelope {
                Envelope::StatusResponse => assert_eq!(read, Some(expected), "{name:?}: {xml}"),
                Envelope::Bare => assert_eq!(read, None, "{name:?}: {xml}"),
            }
        }
    }

    #[test]
    fn generated_successes_have_the_vendors_shapes() {
        let onlyoffice = DialectName::Onlyoffice.rules();
        assert_eq!(
            onlyoffice.empty_success(200),
            Some(json!({"status": 0, "statusCode": 200, "response": {}}))
        );
        assert_eq!(
            onlyoffice.empty_success(201),
            Some(json!({"status": 0, "statusCode": 201, "response": {}}))
        );
        assert_eq!(
            onlyoffice.success_around_null(200),
            json!({"status": 0, "statusCode": 200, "response": null})
        );
        let order: Vec<String> = onlyoffice
            .success_around_null(200)
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        assert_eq!(order, ["status", "statusCode", "response"]);
        let superoffice = DialectName::Superoffice.rules();
        assert_eq!(superoffice.empty_success(204), None);
        assert_eq!(superoffice.success_around_null(200), Value::Null);
        // A generated success is never mistaken for the vendor's error.
        for name in DIALECTS {
            let dialect = name.rules();
            let bodies = [
                dialect.empty_success(200),
                Some(dialect.success_around_null(200)),
            ];
            for body in bodies.iter().flatten() {
                assert_eq!(dialect.read_error(body), None, "{name:?}: {body}");
            }
        }
    }

    #[test]
    fn a_success_body_is_not_read_as_an_error() {
        let onlyoffice = DialectName::Onlyoffice.rules();
        for body in [
            json!({"status": 0, "response": {"id": 1}}),
            json!({"status": "Ok", "response": []}),
            json!({"status": 1, "response": {"id": 1}}),
            json!({"status": true, "error": {"message": "?"}}),
            json!({"response": {"id": 1}}),
            json!([{"status": 1}]),
        ] {
            assert_eq!(onlyoffice.read_error(&body), None, "{body}");
        }
        let superoffice = DialectName::Superoffice.rules();
        for body in [
            json!({"ContactId": 1, "Error": false, "ErrorMessage": ""}),
            json!({"Error": true}),
            json!({"Error": "true", "ErrorType": "Exception"}),
        ] {
            assert_eq!(superoffice.read_error(&body), None, "{body}");
        }
        let xml = "<result>\n  <status>0</status>\n  <response>\n    <id>1</id>\n  </response>\n</result>";
        let root = crate::contract::xml::parse_xml(xml).expect("well-formed");
        assert_eq!(onlyoffice.read_xml_error(&root), None);
    }
}
