//! Matching a request path and method to a documented endpoint.
//!
//! Routes are the endpoints' path templates behind their API's mount prefix.
//! Literal segments match ignoring ASCII case (as the vendors' ASP.NET routing
//! does). Path parameters are typed by their schema, as the vendors' route
//! constraints type them ([`ParamType`]), so `List/{id}` (an integer) and
//! `List/{name}` (text) are both served: `List/7` goes to the first,
//! `List/Jörg` to the second. At the first position where candidates
//! differ, a literal outranks a typed parameter that takes the piece, which
//! outranks a text parameter. Only routes that no request could tell apart
//! (the same method, literals and parameter types in the same places) are
//! refused when the router is built.
//!
//! ONLYOFFICE's own router is a list tried in order, the first match
//! winning, sorted by where each template's first `{` stands and then its
//! last `}` (Community Server:
//! `module/ASC.Api/ASC.Api/Impl/Routing/ApiRouteRegistrator.cs`). That
//! agrees with the rule above on its documented overlaps (`project/status`
//! before `project/{status}`; `contact/{contactid}/data/{id:[0-9]+}` before
//! `…/data/{infoType}`), which is what matters for a mock of the
//! documented routes. Where it would not, docmock keeps its rule rather
//! than the list's accidents: the list tries `{userid}/photo` before
//! `status/{status}`, and would try an unconstrained `{x}` before a
//! constrained `{contactid:[0-9]+}` (shorter name), leaving a documented
//! route unreachable.
//!
//! SuperOffice URLs carry a tenant or virtual directory before `api/v1`
//! (`/Cust12345/api/v1/Contact/5`). For an API whose dialect says so
//! ([`crate::contract::dialect::Dialect::tenant_segment`]), a path that
//! finds nothing as sent is walked again from the node where the mount
//! prefix ends, one piece further on: no route is added, and a path that
//! matches as sent pays nothing.

use std::borrow::Cow;

use http::Method;
use percent_encoding::percent_decode_str;
use serde_json::Value;
use smallvec::SmallVec;

use crate::contract::catalog::{Catalog, Endpoint, LoadError, Segment};
use crate::contract::dialect::RouteConstraints;
use crate::contract::spec::Location;

/// Which APIs are served and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mount {
    /// Every API under its own prefix.
    All,
    /// Only the named API, at `/`.
    Single(String),
}

/// One mounted endpoint.
#[derive(Debug, Clone)]
pub struct Route {
    /// Index into [`Catalog::endpoints`].
    pub endpoint: usize,
    /// Index into [`Catalog::apis`].
    pub api: usize,
    /// Method.
    pub method: Method,
    /// Prefix segments followed by the template's segments.
    pub segments: Vec<Segment>,
    /// What each path parameter's text must look like, in template order.
    pub param_types: Vec<ParamType>,
    /// The mounted path template as people read it.
    pub template: String,
}

/// What a path parameter's text must look like for its route to be
/// chosen over another route with a parameter at the same place: the
/// vendor's route constraint, read off the parameter's schema.
///
/// Variants are in order of precedence: a piece goes to the first type at
/// its position that takes it, so each type comes before the wider ones
/// that also take its values (`Int32` before `Int64` before `Number`), and
/// `Text`, which takes anything, comes last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ParamType {
    /// ONLYOFFICE's `[0-9]+`: ASCII digits, any number of them.
    Digits,
    /// .NET `Int32` (`{id:int}`): a sign allowed, within 32 bits.
    Int32,
    /// .NET `Int64` (`{id:long}`).
    Int64,
    /// .NET `Double` (`{x:double}`): any finite number.
    Number,
    /// .NET `Boolean` (`{x:bool}`): `true` or `false`, in any case.
    Boolean,
    /// A guid in its hyphenated form, `8-4-4-4-12` hexadecimal digits.
    Uuid,
    /// Anything: an unconstrained parameter.
    Text,
}

impl ParamType {
    /// The type of a path parameter documented with `schema`, under the
    /// vendor's `constraints`. Read as request validation reads the path
    /// (by the schema's `type`), so that a piece routed to a typed
    /// parameter also passes its schema.
    pub fn of(schema: &Value, constraints: RouteConstraints) -> ParamType {
        let json_type = schema.get("type").and_then(Value::as_str);
        let format = schema.get("format").and_then(Value::as_str);
        match (constraints, json_type) {
            (RouteConstraints::IntegerDigits, Some("integer")) => ParamType::Digits,
            (RouteConstraints::IntegerDigits, _) => ParamType::Text,
            (RouteConstraints::Typed, Some("integer")) => match format {
                // Web API has no narrower constraint than `int`.
                Some("int32" | "int16" | "uint16" | "byte" | "sbyte" | "int8" | "uint8") => {
                    ParamType::Int32
                }
                _ => ParamType::Int64,
            },
            (RouteConstraints::Typed, Some("number")) => ParamType::Number,
            (RouteConstraints::Typed, Some("boolean")) => ParamType::Boolean,
            (RouteConstraints::Typed, Some("string")) if format == Some("uuid") => ParamType::Uuid,
            (RouteConstraints::Typed, _) => ParamType::Text,
        }
    }

    /// Whether `text`, a percent-decoded path piece, is a value of this
    /// type. Surrounding blanks are read away and a sign is taken, as
    /// .NET's `TryParse` (with `NumberStyles.Integer`) and docmock's own
    /// request validation both do.
    pub fn accepts(self, text: &str) -> bool {
        let trimmed = text.trim();
        match self {
            ParamType::Digits => !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()),
            ParamType::Int32 => trimmed.parse::<i32>().is_ok(),
            ParamType::Int64 => trimmed.parse::<i64>().is_ok(),
            ParamType::Number => trimmed.parse::<f64>().is_ok_and(f64::is_finite),
            ParamType::Boolean => {
                trimmed.eq_ignore_ascii_case("true") || trimmed.eq_ignore_ascii_case("false")
            }
            // Only the form JSON Schema's `uuid` format takes: .NET's
            // Guid.TryParse also reads `{…}` and 32 bare digits, but a
            // piece routed here must pass the parameter's schema too.
            ParamType::Uuid => {
                trimmed.len() == 36
                    && trimmed.bytes().enumerate().all(|(i, b)| match i {
                        8 | 13 | 18 | 23 => b == b'-',
                        _ => b.is_ascii_hexdigit(),
                    })
            }
            ParamType::Text => true,
        }
    }

    /// The type as a person reads it, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            ParamType::Digits => "integer (digits)",
            ParamType::Int32 => "32-bit integer",
            ParamType::Int64 => "64-bit integer",
            ParamType::Number => "number",
            ParamType::Boolean => "boolean",
            ParamType::Uuid => "uuid",
            ParamType::Text => "text",
        }
    }
}

/// The types of `endpoint`'s path parameters, in template order.
fn param_types(endpoint: &Endpoint, constraints: RouteConstraints) -> Vec<ParamType> {
    endpoint
        .path
        .params()
        .map(|name| match endpoint.parameter(Location::Path, name) {
            Some(parameter) => ParamType::of(&parameter.schema, constraints),
            None => ParamType::Text,
        })
        .collect()
}

/// Path parameters bound by a match, in template order; most templates have
/// few enough to stay off the heap.
pub type Params<'r, 'p> = SmallVec<[(&'r str, Cow<'p, str>); 4]>;

/// The path pieces bound to parameters while walking the tree.
type Bound<'p> = SmallVec<[&'p str; 4]>;

/// The outcome of routing one request.
#[derive(Debug)]
pub enum Routed<'r, 'p> {
    /// A route matched; its path parameters are bound by name (raw text).
    Found {
        /// The route.
        route: &'r Route,
        /// Path parameters in template order, percent-decoded.
        params: Params<'r, 'p>,
    },
    /// The path is documented, but not for this method.
    MethodNotAllowed {
        /// Methods the path is documented for.
        allow: Vec<Method>,
        /// The API the path belongs to.
        api: usize,
    },
    /// Nothing documented matches.
    NotFound,
}

/// The mounted routes as a tree of path segments, so that a request is
/// matched in one walk down its path however many endpoints are mounted.
#[derive(Debug, Clone)]
pub struct Router {
    routes: Vec<Route>,
    /// `nodes[0]` is the root.
    nodes: Vec<Node>,
    /// Mounted APIs and their prefixes (`""` for a single API at `/`).
    prefixes: Vec<(usize, String)>,
    /// For each mounted API whose dialect takes a tenant segment before its
    /// templates: its prefix and the node where the prefix ends, where a
    /// path that skips the tenant piece goes on.
    tenant_starts: Vec<(String, usize)>,
    /// Each route as [`Router::nearest`] compares it, in route order.
    shapes: Vec<Shape>,
    /// How many of a path's segments [`Router::nearest`] compares: one
    /// more than the longest template has, at most [`COMPARED_SEGMENTS`].
    compared_segments: usize,
}

/// A route as [`Router::nearest`] compares it with a path, worked out once
/// when the router is built rather than for every unknown path.
#[derive(Debug, Clone)]
struct Shape {
    /// Its segments lower-cased, `None` for a parameter.
    segments: Box<[Option<Box<str>>]>,
    /// Its segments joined by `/`, parameters as `{}`, as [`compared_shape`]
    /// spells a path.
    joined: Box<str>,
}

impl Shape {
    fn of(segments: &[Segment]) -> Shape {
        let segments: Box<[Option<Box<str>>]> = segments
            .iter()
            .map(|s| match s {
                Segment::Literal(text) => Some(text.to_ascii_lowercase().into_boxed_str()),
                Segment::Param(_) => None,
            })
            .collect();
        let joined = segments
            .iter()
            .map(|s| s.as_deref().unwrap_or("{}"))
            .collect::<Vec<_>>()
            .join("/");
        Shape {
            segments,
            joined: truncated(&joined, COMPARED_BYTES).into(),
        }
    }
}

/// One position in the tree of segments.
#[derive(Debug, Clone, Default)]
struct Node {
    /// Literal children by lower-cased text, sorted by length and then
    /// text for binary search. Once the tree is built, a child that only
    /// leads on to one literal is skipped: its key then spans several
    /// segments joined by `/` (see [`Router::compact`]).
    literals: Vec<(Box<str>, usize)>,
    /// The children for a `{param}` at this position, one per
    /// [`ParamType`], in its order of precedence; most nodes have one.
    params: SmallVec<[(ParamType, usize); 1]>,
    /// Routes whose template ends here, one per method.
    routes: Vec<usize>,
}

/// Nodes with at most this many literal children compare each key against
/// the path where it stands; more are searched by the path's piece.
const SCANNED: usize = 8;

impl Node {
    /// The literal child matching the piece of `path` that starts at byte
    /// `at` (ignoring ASCII case), and the offset just past that piece.
    ///
    /// A handful of children, the usual case, are compared against the path
    /// where it stands, so the piece's end need not be found first. Many
    /// children are searched by the piece.
    fn literal_at(&self, path: &str, at: usize) -> Option<(usize, usize)> {
        let bytes = path.as_bytes();
        if self.literals.len() <= SCANNED {
            return self
                .literals
                .iter()
                .find_map(|(key, child)| Some((*child, key_end(key.as_bytes(), bytes, at)?)));
        }
        let end = piece_end(bytes, at);
        let piece = path.get(at..end)?;
        self.literals
            .binary_search_by(|(key, _)| compare_folded(key, piece))
            .ok()
            .map(|found| (self.literals[found].1, end))
    }

    /// Whether walking through this node can only go on to one literal
    /// child: nothing ends here and no parameter branches off.
    fn only_passes_on(&self) -> Option<&(Box<str>, usize)> {
        match self.literals.as_slice() {
            [only] if self.params.is_empty() && self.routes.is_empty() => Some(only),
            _ => None,
        }
    }

    /// The parameter child to try for `piece` (as sent) once the
    /// candidates before `next` have failed, and the `next` to resume from.
    ///
    /// Candidates come in two rounds: first each typed child that takes
    /// the piece, in order of precedence, then the `Text` child, then (in
    /// [`Typing::Loose`] only) the typed children that do not take it, so
    /// that where no route could take the piece by type the request still
    /// reaches one and gets a 400 naming the parameter rather than a 404.
    fn param_from(&self, piece: &str, next: usize, typing: Typing) -> Option<(usize, usize)> {
        if let [(kind, child)] = self.params[..] {
            let fits =
                typing == Typing::Loose || kind == ParamType::Text || kind.accepts(&decoded(piece));
            return (next == 0 && fits).then_some((child, 1));
        }
        let text = decoded(piece);
        let count = self.params.len();
        let rounds = match typing {
            Typing::Strict => count,
            Typing::Loose => 2 * count,
        };
        (next..rounds).find_map(|i| {
            let (kind, child) = self.params[i % count];
            (kind.accepts(&text) == (i < count)).then_some((child, i + 1))
        })
    }
}

/// A path piece percent-decoded for a type to judge, as the parameter's
/// value will be.
fn decoded(piece: &str) -> Cow<'_, str> {
    if piece.as_bytes().contains(&b'%') {
        percent_decode_str(piece)
            .decode_utf8()
            .unwrap_or(Cow::Borrowed(piece))
    } else {
        Cow::Borrowed(piece)
    }
}

/// Whether a typed parameter takes only pieces of its type while routing.
///
/// A request is routed strictly first, so that `/crm/contact/tag` passes
/// over `crm/contact/{contactid}` (an integer) for `crm/{entityType}/tag`,
/// as ASP.NET's and Community Server's route constraints send it on
/// (`module/ASC.Api/ASC.Api/Impl/Routing/ApiRouteRegistrator.cs` registers
/// `{id:[0-9]+}`-style constraints, and a route whose constraint fails
/// does not match). Only when no route takes the path that way is it routed
/// loosely, so that `/contact/abc/status` reaches the one route it can mean
/// and gets a 400 naming the parameter rather than a 404.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Typing {
    Strict,
    Loose,
}

/// A parameter child passed over while walking the tree, to come back to:
/// the node it hangs from, the offset of the piece it would bind, how many
/// pieces were bound then, and which candidate of the node comes next.
#[derive(Debug, Clone, Copy)]
struct Untried {
    node: usize,
    at: usize,
    bound: usize,
    next: usize,
}

/// Where `key` (lower-cased segments joined by `/`) matches whole pieces of
/// `path` from byte `at`, ignoring ASCII case and repeated slashes between
/// its segments: the offset just past the match.
fn key_end(key: &[u8], path: &[u8], at: usize) -> Option<usize> {
    // Most keys tried are the wrong one, which the first byte tells.
    if path.get(at)?.to_ascii_lowercase() != *key.first()? {
        return None;
    }
    // Requests mostly spell the path as documented: one comparison.
    let end = if path.get(at..at + key.len()) == Some(key) {
        at + key.len()
    } else {
        let mut end = at;
        for (i, segment) in key.split(|&b| b == b'/').enumerate() {
            if i > 0 {
                if path.get(end) != Some(&b'/') {
                    return None;
                }
                end = skip_slashes(path, end);
            }
            let piece = path.get(end..end + segment.len())?;
            if !same_folded(segment, piece) {
                return None;
            }
            end += segment.len();
        }
        end
    };
    // A key followed by more of the same piece is not that piece.
    path.get(end)
        .is_none_or(|&next| next == b'/')
        .then_some(end)
}

/// The offset of the first `/` at or after `at`, or the path's length.
/// Pieces are short, so a plain loop beats a search.
fn piece_end(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && bytes[at] != b'/' {
        at += 1;
    }
    at
}

/// The offset of the first byte at or after `at` that is not a `/`.
fn skip_slashes(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && bytes[at] == b'/' {
        at += 1;
    }
    at
}

/// Whether `piece` is the lower-cased `key` ignoring ASCII case; only the
/// piece needs folding.
fn same_folded(key: &[u8], piece: &[u8]) -> bool {
    key.len() == piece.len()
        && key
            .iter()
            .zip(piece)
            .all(|(&k, &p)| k == p.to_ascii_lowercase())
}

/// Orders a lower-cased key against a path piece by length, then as if the
/// piece were lower-cased too, without lower-casing it.
fn compare_folded(key: &str, piece: &str) -> std::cmp::Ordering {
    key.len().cmp(&piece.len()).then_with(|| {
        key.bytes()
            .cmp(piece.bytes().map(|b| b.to_ascii_lowercase()))
    })
}

impl Router {
    /// Builds the routes of `catalog` mounted as `mount`; conflicting routes
    /// and an unknown API name are errors.
    pub fn new(catalog: &Catalog, mount: &Mount) -> Result<Router, Vec<LoadError>> {
        let (router, conflicts) = Router::skipping_conflicts(catalog, mount)?;
        if conflicts.is_empty() {
            Ok(router)
        } else {
            Err(conflicts)
        }
    }

    /// Builds the routes of `catalog` mounted as `mount`, leaving out each
    /// route that no request could tell apart from one mounted before it
    /// (in catalog order). The conflicts come back beside the router, each
    /// naming the spec file left out and the one kept. An unknown API name
    /// is an error.
    pub fn skipping_conflicts(
        catalog: &Catalog,
        mount: &Mount,
    ) -> Result<(Router, Vec<LoadError>), Vec<LoadError>> {
        let mut prefixes = Vec::new();
        match mount {
            Mount::All => {
                for (i, api) in catalog.apis.iter().enumerate() {
                    prefixes.push((i, api.prefix.clone()));
                }
            }
            Mount::Single(name) => match catalog.api(name) {
                Some((i, _)) => prefixes.push((i, String::new())),
                None => {
                    let known: Vec<&str> = catalog.apis.iter().map(|a| a.name.as_str()).collect();
                    return Err(vec![LoadError {
                        file: Default::default(),
                        location: "--api".into(),
                        message: format!(
                            "no API called {name:?}; the spec directory has {}",
                            known.join(", ")
                        ),
                    }]);
                }
            },
        }

        let mut router = Router {
            routes: Vec::new(),
            nodes: vec![Node::default()],
            prefixes,
            tenant_starts: Vec::new(),
            shapes: Vec::new(),
            compared_segments: COMPARED_SEGMENTS,
        };
        let mut conflicts = Vec::new();
        for (index, endpoint) in catalog.endpoints.iter().enumerate() {
            let Some(prefix) = router.prefix_of(endpoint.api) else {
                continue;
            };
            let mut segments: Vec<Segment> = prefix
                .split('/')
                .filter(|s| !s.is_empty())
                .map(|s| Segment::Literal(s.to_string()))
                .collect();
            segments.extend(endpoint.path.segments.iter().cloned());
            let template = format!("{prefix}{}", endpoint.path.raw);
            let constraints = catalog.apis[endpoint.api].dialect.rules().route_constraints;
            let route = Route {
                endpoint: index,
                api: endpoint.api,
                method: endpoint.method.clone(),
                segments,
                param_types: param_types(endpoint, constraints),
                template,
            };
            if let Err((route, other)) = router.insert(route) {
                let kept = &router.routes[other];
                let types: Vec<&str> = route.param_types.iter().map(|t| t.describe()).collect();
                let (why, fix) = if types.is_empty() {
                    ("the path is the same".to_string(), "remove one spec")
                } else {
                    (
                        format!(
                            "their path parameters are in the same places with the same types ({})",
                            types.join(", ")
                        ),
                        "type one of the parameters in its schema, or remove one spec",
                    )
                };
                conflicts.push(LoadError {
                    file: endpoint.file.clone(),
                    location: "/path".into(),
                    message: format!(
                        "{} {} would match the same requests as {} {} in {}: \
                         no request could tell them apart, as {why}; \
                         expected each request to match one route ({fix})",
                        route.method,
                        route.template,
                        kept.method,
                        kept.template,
                        catalog.endpoints[kept.endpoint].file.display(),
                    ),
                });
            }
        }
        router.tenant_starts = router
            .prefixes
            .iter()
            .filter(|(api, _)| catalog.apis[*api].dialect.rules().tenant_segment)
            .filter_map(|(_, prefix)| Some((prefix.clone(), router.node_of(prefix)?)))
            .collect();
        router.finish();
        Ok((router, conflicts))
    }

    /// Adds `route` to the tree. A route already ending at the same place
    /// (same literals, same parameter types) with the same method would
    /// match the same requests: `route` comes back with that route's index.
    fn insert(&mut self, route: Route) -> Result<(), (Route, usize)> {
        let mut node = 0;
        let mut types = route.param_types.iter();
        for segment in &route.segments {
            node = match segment {
                Segment::Literal(text) => {
                    let literals = &self.nodes[node].literals;
                    match literals.binary_search_by(|(key, _)| compare_folded(key, text)) {
                        Ok(found) => literals[found].1,
                        Err(at) => {
                            let child = self.new_node();
                            let key = text.to_ascii_lowercase().into_boxed_str();
                            self.nodes[node].literals.insert(at, (key, child));
                            child
                        }
                    }
                }
                Segment::Param(_) => {
                    let kind = types.next().copied().unwrap_or(ParamType::Text);
                    let params = &self.nodes[node].params;
                    match params.binary_search_by_key(&kind, |(k, _)| *k) {
                        Ok(found) => params[found].1,
                        Err(at) => {
                            let child = self.new_node();
                            self.nodes[node].params.insert(at, (kind, child));
                            child
                        }
                    }
                }
            };
        }
        if let Some(&other) = self.nodes[node]
            .routes
            .iter()
            .find(|&&i| self.routes[i].method == route.method)
        {
            return Err((route, other));
        }
        self.nodes[node].routes.push(self.routes.len());
        self.routes.push(route);
        Ok(())
    }

    /// Readies the router once every route is inserted: the shapes
    /// [`Router::nearest`] compares, and the tree compacted.
    fn finish(&mut self) {
        self.shapes = self.routes.iter().map(|r| Shape::of(&r.segments)).collect();
        let longest = self.routes.iter().map(|r| r.segments.len()).max();
        self.compared_segments = longest.map_or(0, |n| n + 1).min(COMPARED_SEGMENTS);
        self.compact();
    }

    /// Lets each literal edge skip the nodes that only pass on to one
    /// literal, so that a run of fixed segments such as a mount prefix is
    /// compared in one go rather than node by node.
    ///
    /// Only edges of nodes compared in place are extended: a node with many
    /// children finds its child by one piece of the path. The skipped nodes
    /// stay in `nodes`, unreachable. Run once every route is inserted.
    fn compact(&mut self) {
        for node in 0..self.nodes.len() {
            if self.nodes[node].literals.len() > SCANNED {
                continue;
            }
            for edge in 0..self.nodes[node].literals.len() {
                let (mut key, mut child) = self.nodes[node].literals[edge].clone();
                while let Some((next, grandchild)) = self.nodes[child].only_passes_on() {
                    key = format!("{key}/{next}").into_boxed_str();
                    child = *grandchild;
                }
                self.nodes[node].literals[edge] = (key, child);
            }
        }
    }

    /// The node a run of literal segments (a mount prefix) leads to from
    /// the root, before [`Router::compact`] joins edges.
    fn node_of(&self, prefix: &str) -> Option<usize> {
        prefix
            .split('/')
            .filter(|s| !s.is_empty())
            .try_fold(0, |node, segment| {
                let literals = &self.nodes[node].literals;
                literals
                    .binary_search_by(|(key, _)| compare_folded(key, segment))
                    .ok()
                    .map(|found| literals[found].1)
            })
    }

    /// Where the templates of a tenant API start in `path` when a tenant
    /// or virtual-directory piece stands after its mount prefix
    /// (`/superoffice/Cust12345/api/v1/Contact/5`): the node the prefix
    /// leads to and the offset just past the tenant piece.
    fn tenant_start(&self, path: &str) -> Option<(usize, usize)> {
        let bytes = path.as_bytes();
        self.tenant_starts.iter().find_map(|(prefix, node)| {
            let rest = bytes.get(prefix.len()..)?;
            let starts = bytes[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
                && rest.first() == Some(&b'/');
            let at = skip_slashes(bytes, prefix.len());
            let end = piece_end(bytes, at);
            (starts && end > at).then_some((*node, end))
        })
    }

    fn new_node(&mut self) -> usize {
        self.nodes.push(Node::default());
        self.nodes.len() - 1
    }

    /// Every mounted route, in catalog order.
    pub fn routes(&self) -> &[Route] {
        &self.routes
    }

    /// The mount prefixes of the APIs that take a tenant segment after
    /// them (`/superoffice` for `/superoffice/{tenant}/api/v1/…`).
    pub fn tenant_prefixes(&self) -> impl Iterator<Item = &str> {
        self.tenant_starts.iter().map(|(prefix, _)| prefix.as_str())
    }

    /// The mount prefix of API `api`, if it is mounted.
    pub fn prefix_of(&self, api: usize) -> Option<&str> {
        self.prefixes
            .iter()
            .find(|(i, _)| *i == api)
            .map(|(_, p)| p.as_str())
    }

    /// The mounted API whose prefix is the longest one `path` starts with.
    pub fn api_for_path(&self, path: &str) -> Option<usize> {
        self.prefixes
            .iter()
            .filter(|(_, prefix)| {
                path.strip_prefix(prefix.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
            })
            .max_by_key(|(_, prefix)| prefix.len())
            .map(|(api, _)| *api)
    }

    /// Routes `method` + `path` (path without query, not yet decoded).
    ///
    /// Literal segments match ignoring ASCII case; where both a literal and
    /// a `{param}` match a piece, the literal is tried first, so the route
    /// found is the one with a literal at the first position where the
    /// candidates differ. Empty pieces (`//`, a trailing `/`) are skipped.
    pub fn route<'p>(&self, method: &Method, path: &'p str) -> Routed<'_, 'p> {
        let want = if method == Method::HEAD {
            &Method::GET
        } else {
            method
        };
        // A tenant piece is looked for only once the path as sent finds
        // nothing, so that requests without one pay nothing for it.
        let tenant = || self.tenant_start(path);
        let found = self
            .find(path, want, Typing::Strict, (0, 0))
            .or_else(|| self.find(path, want, Typing::Loose, (0, 0)))
            .or_else(|| {
                let start = tenant()?;
                self.find(path, want, Typing::Strict, start)
                    .or_else(|| self.find(path, want, Typing::Loose, start))
            });
        if let Some((route, bound)) = found {
            // Pushed one by one: collecting into a SmallVec costs more.
            let mut params = Params::new();
            let mut pieces = bound.into_iter();
            for segment in &route.segments {
                let Segment::Param(name) = segment else {
                    continue;
                };
                let Some(piece) = pieces.next() else {
                    break;
                };
                let value = if piece.as_bytes().contains(&b'%') {
                    // Escapes that are not UTF-8 stay as sent, so that an
                    // error quotes `%FF` rather than a replacement character.
                    percent_decode_str(piece)
                        .decode_utf8()
                        .unwrap_or(Cow::Borrowed(piece))
                } else {
                    Cow::Borrowed(piece)
                };
                params.push((name.as_str(), value));
            }
            return Routed::Found { route, params };
        }
        let mut matching = Vec::new();
        self.all_matching(0, path, 0, &mut matching);
        if matching.is_empty()
            && let Some((node, at)) = tenant()
        {
            self.all_matching(node, path, at, &mut matching);
        }
        let Some(first) = matching.first() else {
            return Routed::NotFound;
        };
        let api = first.api;
        let mut allow: Vec<Method> = matching.iter().map(|r| r.method.clone()).collect();
        if allow.contains(&Method::GET) {
            allow.push(Method::HEAD);
        }
        allow.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        allow.dedup();
        Routed::MethodNotAllowed { allow, api }
    }

    /// The best-ranked route for `method` matching `path` from `start` (a
    /// node and the offset in `path` where it stands), and the pieces its
    /// parameters bound, in order.
    ///
    /// Depth first, the literal child before the parameter children, and
    /// these in the order [`Node::param_from`] gives, so the first route
    /// found has a literal wherever the candidates first differ, else the
    /// narrowest parameter type that takes the piece. Parameter children
    /// passed over wait on a stack, deepest on top.
    fn find<'p>(
        &self,
        path: &'p str,
        method: &Method,
        typing: Typing,
        start: (usize, usize),
    ) -> Option<(&Route, Bound<'p>)> {
        let bytes = path.as_bytes();
        let mut untried: SmallVec<[Untried; 8]> = SmallVec::new();
        let mut bound = Bound::new();
        let (mut node, mut at) = start;
        loop {
            let here = &self.nodes[node];
            at = skip_slashes(bytes, at);
            if at == bytes.len() {
                if let Some(route) = here
                    .routes
                    .iter()
                    .map(|&i| &self.routes[i])
                    .find(|route| route.method == *method)
                {
                    return Some((route, bound));
                }
            } else if let Some((literal, end)) = here.literal_at(path, at) {
                if !here.params.is_empty() {
                    untried.push(Untried {
                        node,
                        at,
                        bound: bound.len(),
                        next: 0,
                    });
                }
                (node, at) = (literal, end);
                continue;
            } else if let [(kind, param)] = here.params[..]
                && (typing == Typing::Loose
                    || kind == ParamType::Text
                    || kind.accepts(&decoded(path.get(at..piece_end(bytes, at))?)))
            {
                // One parameter child that takes the piece, the usual
                // case: it is the only candidate, so nothing waits.
                let end = piece_end(bytes, at);
                bound.push(path.get(at..end)?);
                (node, at) = (param, end);
                continue;
            } else if here.params.len() > 1 {
                untried.push(Untried {
                    node,
                    at,
                    bound: bound.len(),
                    next: 0,
                });
            }
            // Back to the deepest parameter child passed over.
            loop {
                let waiting = untried.pop()?;
                let end = piece_end(bytes, waiting.at);
                let piece = path.get(waiting.at..end)?;
                let from = &self.nodes[waiting.node];
                let Some((child, next)) = from.param_from(piece, waiting.next, typing) else {
                    continue;
                };
                if from.params.len() > 1 {
                    untried.push(Untried { next, ..waiting });
                }
                bound.truncate(waiting.bound);
                bound.push(piece);
                (node, at) = (child, end);
                break;
            }
        }
    }

    /// Every route under `node` matching `path` from offset `at`, whatever
    /// its method and whatever its parameters' types.
    fn all_matching<'r>(&'r self, node: usize, path: &str, at: usize, out: &mut Vec<&'r Route>) {
        let node = &self.nodes[node];
        let at = skip_slashes(path.as_bytes(), at);
        if at == path.len() {
            out.extend(node.routes.iter().map(|&i| &self.routes[i]));
            return;
        }
        if let Some((child, end)) = node.literal_at(path, at) {
            self.all_matching(child, path, end, out);
        }
        let end = piece_end(path.as_bytes(), at);
        for &(_, param) in &node.params {
            self.all_matching(param, path, end, out);
        }
    }

    /// Up to `limit` mounted routes whose templates look most like `path`,
    /// for 404 bodies.
    ///
    /// Templates are compared with the path by edit distance, which costs
    /// too much to run on thousands of routes for every unknown path: a
    /// cheap count of segments in place picks the [`NEAREST_CANDIDATES`]
    /// routes the distance then orders (all of them in a smaller catalog).
    /// Only the path's first segments (one more than the longest template
    /// has, at most [`COMPARED_SEGMENTS`]), each cut to
    /// [`COMPARED_PIECE_BYTES`], take part, and the distance is measured on
    /// at most [`COMPARED_BYTES`] of either side, and of the path on at most
    /// [`COMPARED_SLACK`] bytes more than the template has: the answer to a path of
    /// 64 KB costs what the answer to one of a few hundred bytes does, and
    /// one worker busy with it holds up the requests queued behind it no
    /// longer. The routes' side is worked out once, when the router is
    /// built.
    pub fn nearest(&self, path: &str, limit: usize) -> Vec<&Route> {
        let lowered = compared_pieces(path, self.compared_segments)
            .map(str::to_ascii_lowercase)
            .collect::<Vec<_>>();
        let pieces: Vec<&str> = lowered.iter().map(String::as_str).collect();
        let mut candidates: Vec<((isize, usize), usize)> = self
            .shapes
            .iter()
            .enumerate()
            .map(|(i, shape)| (likeness(&shape.segments, &pieces), i))
            .collect();
        if candidates.len() > NEAREST_CANDIDATES {
            candidates.select_nth_unstable_by(NEAREST_CANDIDATES - 1, |a, b| b.cmp(a));
            candidates.truncate(NEAREST_CANDIDATES);
        }
        let wanted = shape_of_pieces(&pieces);
        let mut scored: Vec<(f64, &Route)> = candidates
            .into_iter()
            .map(|(_, i)| {
                let shape = &self.shapes[i].joined;
                // Beyond the template's length and a little more, the
                // path only adds to the distance from every template.
                let wanted = truncated(&wanted, shape.len() + COMPARED_SLACK);
                (
                    strsim::normalized_levenshtein(wanted, shape),
                    &self.routes[i],
                )
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.template.cmp(&b.1.template)));
        scored.into_iter().take(limit).map(|(_, r)| r).collect()
    }
}

/// How many routes [`Router::nearest`] measures by edit distance at most.
const NEAREST_CANDIDATES: usize = 64;

/// How many of a path's segments [`Router::nearest`] compares at most:
/// more than any documented template has.
const COMPARED_SEGMENTS: usize = 16;

/// How many bytes of each path segment [`Router::nearest`] compares at
/// most: more than any documented segment has.
const COMPARED_PIECE_BYTES: usize = 64;

/// How many bytes of a path, and of a template, [`Router::nearest`]
/// measures by edit distance at most.
const COMPARED_BYTES: usize = 256;

/// How many bytes of a path longer than a template [`Router::nearest`]
/// measures against it by edit distance beyond the template's length.
const COMPARED_SLACK: usize = 16;

/// The first `segments` (at most [`COMPARED_SEGMENTS`]) non-empty segments
/// of `path`, each cut to [`COMPARED_PIECE_BYTES`]. Only the first bytes of
/// the path are read to find them, however long it is.
fn compared_pieces(path: &str, segments: usize) -> impl Iterator<Item = &str> {
    truncated(path, COMPARED_SEGMENTS * (COMPARED_PIECE_BYTES + 1))
        .split('/')
        .filter(|s| !s.is_empty())
        .take(segments.min(COMPARED_SEGMENTS))
        .map(|piece| truncated(piece, COMPARED_PIECE_BYTES))
}

/// The part of `path` [`Router::nearest`] measures by edit distance when it
/// compares `segments` of it: see [`shape_of_pieces`].
#[cfg(test)]
fn compared_shape(path: &str, segments: usize) -> String {
    let lowered: Vec<String> = compared_pieces(path, segments)
        .map(str::to_ascii_lowercase)
        .collect();
    shape_of_pieces(&lowered.iter().map(String::as_str).collect::<Vec<_>>())
}

/// Path pieces (lower-cased) as [`Router::nearest`] measures them by edit
/// distance: ids folded to `{}` so that they compare with templates'
/// parameters, joined by `/` and cut to [`COMPARED_BYTES`].
fn shape_of_pieces(pieces: &[&str]) -> String {
    let folded = pieces
        .iter()
        .map(|&s| {
            if s.chars().all(|c| c.is_ascii_digit() || c == '-') {
                "{}"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    truncated(&folded, COMPARED_BYTES).to_string()
}

/// The longest start of `text` of at most `max` bytes that ends on a
/// character boundary.
fn truncated(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// How much a template (its segments lower-cased, `None` for parameters)
/// looks like a path (its pieces lower-cased), counted without allocating:
/// first two for each place where its segment takes the path's piece (a
/// literal equal, or a parameter), less one for each segment more or fewer;
/// then, to order templates alike in that, how many bytes the literals that
/// differ share with their pieces at either end (`itme42` shares `it` and
/// `42` with `item42`).
fn likeness(segments: &[Option<Box<str>>], pieces: &[&str]) -> (isize, usize) {
    let mut in_place = 0isize;
    let mut shared = 0usize;
    for (segment, piece) in segments.iter().zip(pieces) {
        match segment.as_deref() {
            None => in_place += 2,
            Some(text) if text == *piece => in_place += 2,
            Some(text) => {
                let (a, b) = (text.as_bytes(), piece.as_bytes());
                let front = a.iter().zip(b).take_while(|(x, y)| x == y).count();
                let back = a
                    .iter()
                    .rev()
                    .zip(b.iter().rev())
                    .take_while(|(x, y)| x == y)
                    .count();
                shared += (front + back).min(a.len().min(b.len()));
            }
        }
    }
    let difference = isize::try_from(segments.len().abs_diff(pieces.len())).unwrap_or(0);
    (in_place - difference, shared)
}

/// `path` spelled as RFC 3986 §6.2.2 compares URIs, when that differs from
/// how it was sent: percent-encoded unreserved characters decoded
/// (`%63ontact` is `contact`) and `.` and `..` segments removed (§5.2.4), as
/// the vendors' IIS does before routing. `None` when there is nothing to
/// change.
///
/// ```
/// use docmock::answer::router::normalize;
///
/// assert_eq!(normalize("/a/./b/../%63/%2e%2E/d").as_deref(), Some("/a/d"));
/// assert_eq!(normalize("/a/J%C3%B6rg%2F"), None);
/// ```
pub fn normalize(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    // Substring searches first, so that the common path, with neither,
    // is read at memchr's pace rather than segment by segment.
    let decodable = path.contains('%')
        && bytes
            .windows(3)
            .any(|w| w[0] == b'%' && unreserved_escape(w).is_some());
    let dotted = path.contains("/.") && path.split('/').any(|s| s == "." || s == "..");
    if !decodable && !dotted {
        return None;
    }
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        match bytes.get(at..at + 3).and_then(unreserved_escape) {
            Some(byte) => {
                decoded.push(byte);
                at += 3;
            }
            None => {
                decoded.push(bytes[at]);
                at += 1;
            }
        }
    }
    // Only ASCII escapes were decoded, so the text is still UTF-8.
    let decoded = String::from_utf8(decoded).ok()?;
    let mut kept: Vec<&str> = Vec::new();
    let mut segments = decoded.split('/').peekable();
    while let Some(segment) = segments.next() {
        let last = segments.peek().is_none();
        match segment {
            "." | ".." => {
                // The leading empty segment (the root) is never removed.
                if segment == ".." && kept.len() > 1 {
                    kept.pop();
                }
                if last {
                    kept.push("");
                }
            }
            other => kept.push(other),
        }
    }
    let normalized = kept.join("/");
    (normalized != path).then_some(normalized)
}

/// The byte a `%XX` escape stands for, when it is an unreserved character
/// (letters, digits, `-`, `.`, `_`, `~`), which RFC 3986 says is the same
/// whether encoded or not.
fn unreserved_escape(escape: &[u8]) -> Option<u8> {
    let [b'%', high, low] = escape else {
        return None;
    };
    let digit = |b: u8| (b as char).to_digit(16);
    let byte = u8::try_from(digit(*high)? * 16 + digit(*low)?).ok()?;
    (byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')).then_some(byte)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A router over `templates` (method, template), all in API 0. A
    /// parameter may carry its type after a colon, as the vendors write
    /// route constraints: `{id:int32}`, `{id:int64}`, `{id:digits}`,
    /// `{x:number}`, `{x:boolean}`, `{x:uuid}`; untyped ones are text.
    fn router(templates: &[(&str, &str)]) -> Result<Router, usize> {
        let mut router = Router {
            routes: Vec::new(),
            nodes: vec![Node::default()],
            prefixes: vec![(0, String::new())],
            tenant_starts: Vec::new(),
            shapes: Vec::new(),
            compared_segments: COMPARED_SEGMENTS,
        };
        for (i, (method, template)) in templates.iter().enumerate() {
            let mut param_types = Vec::new();
            let plain: Vec<String> = template
                .split('/')
                .map(
                    |piece| match piece.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                        Some(param) => {
                            let (name, kind) = param.split_once(':').unwrap_or((param, "text"));
                            param_types.push(match kind {
                                "digits" => ParamType::Digits,
                                "int32" => ParamType::Int32,
                                "int64" => ParamType::Int64,
                                "number" => ParamType::Number,
                                "boolean" => ParamType::Boolean,
                                "uuid" => ParamType::Uuid,
                                "text" => ParamType::Text,
                                other => panic!("no type {other}"),
                            });
                            format!("{{{name}}}")
                        }
                        None => piece.to_string(),
                    },
                )
                .collect();
            let plain = plain.join("/");
            router
                .insert(Route {
                    endpoint: i,
                    api: 0,
                    method: Method::from_bytes(method.as_bytes()).expect("method"),
                    segments: crate::contract::catalog::PathTemplate::parse(&plain)
                        .expect("valid template")
                        .segments,
                    param_types,
                    template: plain,
                })
                .map_err(|(_, other)| other)?;
        }
        router.finish();
        Ok(router)
    }

    fn found(router: &Router, method: Method, path: &str) -> Option<(String, Vec<String>)> {
        match router.route(&method, path) {
            Routed::Found { route, params } => Some((
                route.template.clone(),
                params.iter().map(|(k, v)| format!("{k}={v}")).collect(),
            )),
            _ => None,
        }
    }

    #[test]
    fn one_tenant_piece_before_the_templates_is_read_past_only_when_needed() {
        let mut with_list = router(&[
            ("GET", "/api/v1/Contact/{id:int32}"),
            ("GET", "/{list}/api/v1/Contact/{id:int32}"),
        ])
        .expect("no conflict");
        with_list.tenant_starts = vec![(String::new(), 0)];
        let contact = |id: &str| Some(("/api/v1/Contact/{id}".into(), vec![format!("id={id}")]));
        assert_eq!(
            found(&with_list, Method::GET, "/Cust12345/api/v1/contact/5"),
            Some((
                "/{list}/api/v1/Contact/{id}".into(),
                vec!["list=Cust12345".into(), "id=5".into()]
            )),
            "a route that takes the path as sent wins"
        );
        let router = {
            let mut only = router(&[("GET", "/api/v1/Contact/{id:int32}")]).expect("no conflict");
            only.tenant_starts = vec![(String::new(), 0)];
            only
        };
        assert_eq!(
            found(&router, Method::GET, "/api/v1/Contact/5"),
            contact("5")
        );
        assert_eq!(
            found(&router, Method::GET, "/Cust12345/api/v1/Contact/5"),
            contact("5")
        );
        assert_eq!(
            found(&router, Method::GET, "//SuperOffice//api/v1/Contact/7"),
            contact("7")
        );
        assert_eq!(found(&router, Method::GET, "/a/b/api/v1/Contact/5"), None);
        assert_eq!(found(&router, Method::GET, "/Cust12345"), None);
        assert!(matches!(
            router.route(&Method::PUT, "/Cust12345/api/v1/Contact/5"),
            Routed::MethodNotAllowed { .. }
        ));
    }

    #[test]
    fn literals_outrank_parameters_at_the_first_difference() {
        let router = router(&[("GET", "/a/{id}/x"), ("GET", "/a/list/{x}")]).expect("no conflict");
        assert_eq!(
            found(&router, Method::GET, "/a/list/x"),
            Some(("/a/list/{x}".into(), vec!["x=x".into()]))
        );
        assert_eq!(
            found(&router, Method::GET, "/a/7/x"),
            Some(("/a/{id}/x".into(), vec!["id=7".into()]))
        );
    }

    #[test]
    fn a_literal_branch_that_fails_deeper_falls_back_to_the_parameter() {
        let router = router(&[("GET", "/a/list"), ("GET", "/a/{id}/tags")]).expect("no conflict");
        assert_eq!(
            found(&router, Method::GET, "/a/list/tags"),
            Some(("/a/{id}/tags".into(), vec!["id=list".into()]))
        );
    }

    #[test]
    fn the_method_decides_between_a_literal_and_a_parameter() {
        let router = router(&[("DELETE", "/a/list"), ("GET", "/a/{id}")]).expect("no conflict");
        assert_eq!(
            found(&router, Method::GET, "/a/list"),
            Some(("/a/{id}".into(), vec!["id=list".into()]))
        );
        assert_eq!(
            found(&router, Method::HEAD, "/a/list").map(|f| f.0),
            Some("/a/{id}".into())
        );
        match router.route(&Method::PUT, "/a/list") {
            Routed::MethodNotAllowed { allow, .. } => {
                assert_eq!(allow, [Method::DELETE, Method::GET, Method::HEAD]);
            }
            other => panic!("expected 405, got {other:?}"),
        }
    }

    #[test]
    fn literals_match_ignoring_case_and_params_are_percent_decoded() {
        let router = router(&[("GET", "/Api/Contact/{name}")]).expect("no conflict");
        assert_eq!(
            found(&router, Method::GET, "/api/CONTACT/J%C3%B6rg%20B"),
            Some(("/Api/Contact/{name}".into(), vec!["name=Jörg B".into()]))
        );
    }

    #[test]
    fn escapes_that_are_not_utf8_are_kept_as_sent() {
        let router = router(&[("GET", "/a/{id}")]).expect("no conflict");
        assert_eq!(
            found(&router, Method::GET, "/a/%FF%31"),
            Some(("/a/{id}".into(), vec!["id=%FF%31".into()]))
        );
    }

    #[test]
    fn a_node_with_many_literal_children_finds_each_and_falls_back_to_its_parameter() {
        let names = [
            "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
            "lambda", "mu",
        ];
        let mut templates: Vec<(&str, String)> =
            names.iter().map(|n| ("GET", format!("/x/{n}/y"))).collect();
        templates.push(("GET", "/x/{other}/y".into()));
        let templates: Vec<(&str, &str)> =
            templates.iter().map(|(m, t)| (*m, t.as_str())).collect();
        let router = router(&templates).expect("no conflict");
        for name in names {
            let upper = name.to_ascii_uppercase();
            assert_eq!(
                found(&router, Method::GET, &format!("//x/{upper}/y/")).map(|f| f.0),
                Some(format!("/x/{name}/y"))
            );
        }
        for piece in ["alph", "alphas", "J%C3%B6rg", "Jörg", "мю"] {
            assert_eq!(
                found(&router, Method::GET, &format!("/x/{piece}/y")).map(|f| f.0),
                Some("/x/{other}/y".into()),
                "{piece}"
            );
        }
    }

    #[test]
    fn a_literal_is_a_whole_piece_never_the_start_of_one() {
        let router = router(&[("GET", "/ab/c"), ("GET", "/{p}/d")]).expect("no conflict");
        assert_eq!(
            found(&router, Method::GET, "/abc/d").map(|f| f.0),
            Some("/{p}/d".into())
        );
        assert_eq!(
            found(&router, Method::GET, "/ab/c").map(|f| f.0),
            Some("/ab/c".into())
        );
        assert_eq!(found(&router, Method::GET, "/ab").map(|f| f.0), None);
        assert_eq!(
            found(&router, Method::GET, "/é/d").map(|f| f.0),
            Some("/{p}/d".into())
        );
    }

    #[test]
    fn a_run_of_fixed_segments_matches_as_its_segments_would() {
        let router = router(&[
            ("GET", "/api/2.0/crm/contact/{id}"),
            ("GET", "/api/2.0/crm/case"),
            ("PUT", "/api/2.0/crm/case"),
        ])
        .expect("no conflict");
        for path in [
            "/api/2.0/crm/contact/7",
            "//API//2.0/Crm/contact/7/",
            "/api/2.0/crm///CONTACT/7",
        ] {
            assert_eq!(
                found(&router, Method::GET, path),
                Some(("/api/2.0/crm/contact/{id}".into(), vec!["id=7".into()])),
                "{path}"
            );
        }
        for path in [
            "/api/2.0",
            "/api/2.0/crm",
            "/api/2.0/crmx/case",
            "/api/2.0/crm/ca",
        ] {
            assert!(
                matches!(router.route(&Method::GET, path), Routed::NotFound),
                "{path}"
            );
        }
        match router.route(&Method::POST, "/API/2.0//crm/case") {
            Routed::MethodNotAllowed { allow, .. } => {
                assert_eq!(allow, [Method::GET, Method::HEAD, Method::PUT]);
            }
            other => panic!("expected 405, got {other:?}"),
        }
    }

    #[test]
    fn paths_longer_or_shorter_than_every_route_are_not_found() {
        let router = router(&[("GET", "/a/{id}")]).expect("no conflict");
        assert!(matches!(
            router.route(&Method::GET, "/a/1/2/3/4/5/6/7/8/9"),
            Routed::NotFound
        ));
        assert!(matches!(router.route(&Method::GET, "/a"), Routed::NotFound));
        assert!(matches!(router.route(&Method::GET, "/"), Routed::NotFound));
        assert_eq!(
            found(&router, Method::GET, "//a//1/").map(|f| f.0),
            Some("/a/{id}".into())
        );
    }

    #[test]
    fn paths_are_normalised_as_rfc_3986_compares_them() {
        for (sent, spelled) in [
            ("/a/./b", Some("/a/b")),
            ("/a/x/../b", Some("/a/b")),
            ("/../../a", Some("/a")),
            ("/a/b/..", Some("/a/")),
            ("/a/%2e%2E/b", Some("/b")),
            ("/%41pi/%7e", Some("/Api/~")),
            ("/a/%2F/%25/%C3%A9", None),
            ("/a/..b/.c", None),
            ("/a/%zz/%4", None),
            ("*", None),
            ("", None),
        ] {
            assert_eq!(normalize(sent).as_deref(), spelled, "{sent}");
        }
    }

    #[test]
    fn an_integer_piece_goes_to_the_typed_route_and_any_other_to_the_text_one() {
        // SuperOffice documents both: `CRMScript/{cRMScriptId}/Execute`
        // (int32) and `CRMScript/{cRMScriptUniqueId}/Execute` (string).
        let router = router(&[
            ("POST", "/CRMScript/{uniqueId}/Execute"),
            ("POST", "/CRMScript/{id:int32}/Execute"),
        ])
        .expect("told apart by type");
        for (piece, template) in [
            ("7", "/CRMScript/{id}/Execute"),
            ("-7", "/CRMScript/{id}/Execute"),
            ("+7", "/CRMScript/{id}/Execute"),
            ("%2B7", "/CRMScript/{id}/Execute"),
            ("2147483647", "/CRMScript/{id}/Execute"),
            // Past Int32: the vendor's `int` constraint refuses it.
            ("2147483648", "/CRMScript/{uniqueId}/Execute"),
            ("7a", "/CRMScript/{uniqueId}/Execute"),
            ("1.5", "/CRMScript/{uniqueId}/Execute"),
            ("J%C3%B6rg", "/CRMScript/{uniqueId}/Execute"),
        ] {
            assert_eq!(
                found(
                    &router,
                    Method::POST,
                    &format!("/crmscript/{piece}/execute")
                )
                .map(|f| f.0),
                Some(template.to_string()),
                "{piece}"
            );
        }
    }

    #[test]
    fn the_narrowest_type_that_takes_a_piece_wins() {
        let router = router(&[
            ("GET", "/a/{text}"),
            ("GET", "/a/{big:int64}"),
            ("GET", "/a/{small:int32}"),
            ("GET", "/a/{real:number}"),
            ("GET", "/a/{flag:boolean}"),
            ("GET", "/a/{guid:uuid}"),
        ])
        .expect("every type apart");
        for (piece, template) in [
            ("5", "/a/{small}"),
            ("5000000000", "/a/{big}"),
            ("-9223372036854775808", "/a/{big}"),
            ("9223372036854775808", "/a/{real}"),
            ("2.5", "/a/{real}"),
            ("True", "/a/{flag}"),
            ("8a8d5a6c-1d0b-4c3e-9b8e-0D1F2A3B4C5D", "/a/{guid}"),
            ("{8a8d5a6c-1d0b-4c3e-9b8e-0d1f2a3b4c5d}", "/a/{text}"),
            ("NaN", "/a/{text}"),
            ("yes", "/a/{text}"),
        ] {
            assert_eq!(
                found(&router, Method::GET, &format!("/a/{piece}")).map(|f| f.0),
                Some(template.to_string()),
                "{piece}"
            );
        }
    }

    #[test]
    fn onlyoffice_digits_take_no_sign_but_any_length() {
        // Community Server: `contact/{contactid:[0-9]+}/data/{id:[0-9]+}`
        // beside `contact/{contactid:[0-9]+}/data/{infoType}`.
        let router = router(&[
            ("GET", "/contact/{contactid:digits}/data/{id:digits}"),
            ("GET", "/contact/{contactid:digits}/data/{infoType}"),
        ])
        .expect("told apart by type");
        for (piece, template) in [
            ("1", "/contact/{contactid}/data/{id}"),
            ("99999999999999999999", "/contact/{contactid}/data/{id}"),
            ("Email", "/contact/{contactid}/data/{infoType}"),
            ("-1", "/contact/{contactid}/data/{infoType}"),
            ("+1", "/contact/{contactid}/data/{infoType}"),
        ] {
            assert_eq!(
                found(&router, Method::GET, &format!("/contact/5/data/{piece}")).map(|f| f.0),
                Some(template.to_string()),
                "{piece}"
            );
        }
    }

    #[test]
    fn a_piece_no_type_takes_still_reaches_a_typed_route_to_be_refused_by_its_schema() {
        // No text route beside it: the request is routed, and validation
        // names the parameter (a 400), rather than a 404.
        let router =
            router(&[("GET", "/a/{id:int32}"), ("GET", "/a/{name}/x")]).expect("no conflict");
        assert_eq!(
            found(&router, Method::GET, "/a/abc"),
            Some(("/a/{id}".into(), vec!["id=abc".into()]))
        );
        assert_eq!(
            found(&router, Method::GET, "/a/abc/x").map(|f| f.0),
            Some("/a/{name}/x".into())
        );
        assert_eq!(
            found(&router, Method::GET, "/a/7/x").map(|f| f.0),
            Some("/a/{name}/x".into())
        );
    }

    #[test]
    fn a_typed_branch_that_fails_deeper_falls_back_to_the_text_parameter() {
        let router = router(&[
            ("GET", "/a/{id:int32}/tags"),
            ("GET", "/a/{name}/{part}"),
            ("GET", "/a/list/{x:int32}/y"),
        ])
        .expect("no conflict");
        assert_eq!(
            found(&router, Method::GET, "/a/7/tags"),
            Some(("/a/{id}/tags".into(), vec!["id=7".into()]))
        );
        assert_eq!(
            found(&router, Method::GET, "/a/7/notes"),
            Some((
                "/a/{name}/{part}".into(),
                vec!["name=7".into(), "part=notes".into()]
            ))
        );
        // The literal first, then the parameters once it fails deeper.
        assert_eq!(
            found(&router, Method::GET, "/a/list/tags"),
            Some((
                "/a/{name}/{part}".into(),
                vec!["name=list".into(), "part=tags".into()]
            ))
        );
        assert_eq!(
            found(&router, Method::GET, "/a/list/3/y").map(|f| f.0),
            Some("/a/list/{x}/y".into())
        );
    }

    #[test]
    fn a_piece_a_typed_parameter_refuses_goes_on_to_a_route_that_takes_it() {
        // ONLYOFFICE's `crm/contact/{contactid}` and `crm/{entityType}/tag`:
        // `tag` is no contact id, so the literal branch gives way to the
        // parameter before it, as the server's route constraints do.
        let router = router(&[
            ("GET", "/crm/contact/{contactid:digits}"),
            ("GET", "/crm/{entityType}/tag"),
        ])
        .expect("no conflict");
        assert_eq!(
            found(&router, Method::GET, "/crm/contact/tag"),
            Some((
                "/crm/{entityType}/tag".into(),
                vec!["entityType=contact".into()]
            ))
        );
        assert_eq!(
            found(&router, Method::GET, "/crm/contact/12").map(|f| f.0),
            Some("/crm/contact/{contactid}".into())
        );
        // Where nothing takes the piece by type, the typed route is still
        // reached, to be refused by its schema.
        assert_eq!(
            found(&router, Method::GET, "/crm/contact/abc").map(|f| f.0),
            Some("/crm/contact/{contactid}".into())
        );
    }

    #[test]
    fn the_methods_allowed_come_from_every_route_whatever_its_types() {
        let router =
            router(&[("GET", "/a/{id:int32}"), ("DELETE", "/a/{name}")]).expect("no conflict");
        assert_eq!(
            found(&router, Method::DELETE, "/a/5").map(|f| f.0),
            Some("/a/{name}".into())
        );
        match router.route(&Method::PUT, "/a/5") {
            Routed::MethodNotAllowed { allow, .. } => {
                assert_eq!(allow, [Method::DELETE, Method::GET, Method::HEAD]);
            }
            other => panic!("expected 405, got {other:?}"),
        }
    }

    #[test]
    fn parameter_types_are_read_off_the_schema_by_the_vendors_constraints() {
        use serde_json::json;
        let typed = RouteConstraints::Typed;
        let digits = RouteConstraints::IntegerDigits;
        for (schema, constraints, expected) in [
            (
                json!({"type": "integer", "format": "int32"}),
                typed,
                ParamType::Int32,
            ),
            (json!({"type": "integer"}), typed, ParamType::Int64),
            (
                json!({"type": "integer", "format": "int64"}),
                typed,
                ParamType::Int64,
            ),
            (json!({"type": "number"}), typed, ParamType::Number),
            (json!({"type": "boolean"}), typed, ParamType::Boolean),
            (
                json!({"type": "string", "format": "uuid"}),
                typed,
                ParamType::Uuid,
            ),
            (json!({"type": "string"}), typed, ParamType::Text),
            (json!({"type": ["integer", "null"]}), typed, ParamType::Text),
            (json!({}), typed, ParamType::Text),
            (
                json!({"type": "integer", "format": "int32"}),
                digits,
                ParamType::Digits,
            ),
            (
                json!({"type": "string", "format": "uuid"}),
                digits,
                ParamType::Text,
            ),
        ] {
            assert_eq!(ParamType::of(&schema, constraints), expected, "{schema}");
        }
    }

    #[test]
    fn the_nearest_routes_are_found_among_thousands() {
        let templates: Vec<String> = (0..3000)
            .map(|i| format!("/api/area{}/item{i}/{{id}}", i % 50))
            .collect();
        let pairs: Vec<(&str, &str)> = templates.iter().map(|t| ("GET", t.as_str())).collect();
        let router = router(&pairs).expect("no conflict");
        for (path, nearest) in [
            ("/api/area42/iten42/5", "/api/area42/item42/{id}"),
            ("/api/area7/item2957", "/api/area7/item2957/{id}"),
            ("/api/area7/item2957/5/x", "/api/area7/item2957/{id}"),
            ("/API/AREA9/ITEM9/1", "/api/area9/item9/{id}"),
        ] {
            let found = router.nearest(path, 3);
            assert_eq!(found.len(), 3);
            assert_eq!(found[0].template, nearest, "{path}");
        }
    }

    #[test]
    fn a_long_path_is_compared_by_its_first_segments_and_bytes_only() {
        let piece = "x".repeat(64 * 1024);
        let long = format!("/api/area42/iten42/{piece}/{}", "y/".repeat(20_000));
        let compared = compared_shape(&long, COMPARED_SEGMENTS);
        assert!(compared.len() <= COMPARED_BYTES, "{} bytes", compared.len());
        assert!(compared.starts_with("api/area42/iten42/x"), "{compared}");
        assert_eq!(
            compared_shape("/API/area9/ITEM9/-12", COMPARED_SEGMENTS),
            "api/area9/item9/{}"
        );
        assert_eq!(compared_shape("/a/b/c/d", 2), "a/b");
    }

    #[test]
    fn a_long_path_still_finds_the_routes_its_first_segments_name() {
        let templates: Vec<String> = (0..3000)
            .map(|i| format!("/api/area{}/item{i}/{{id}}", i % 50))
            .collect();
        let pairs: Vec<(&str, &str)> = templates.iter().map(|t| ("GET", t.as_str())).collect();
        let router = router(&pairs).expect("no conflict");
        let long = format!("/api/area42/iten42/{}", "5".repeat(64 * 1024));
        let found = router.nearest(&long, 3);
        assert_eq!(found[0].template, "/api/area42/item42/{id}");
    }

    #[test]
    fn routes_with_params_of_the_same_types_in_the_same_places_conflict() {
        assert_eq!(
            router(&[("GET", "/a/{x}/b"), ("GET", "/A/{y}/b")]).err(),
            Some(0)
        );
        assert_eq!(
            router(&[("GET", "/a/{x:int32}/b"), ("GET", "/a/{y:int32}/b")]).err(),
            Some(0)
        );
        assert!(router(&[("GET", "/a/{x}/b"), ("PUT", "/a/{y}/b")]).is_ok());
        assert!(router(&[("GET", "/a/{x}/b"), ("GET", "/a/c/b")]).is_ok());
        assert!(router(&[("GET", "/a/{x}/b"), ("GET", "/a/{y:int32}/b")]).is_ok());
        assert!(router(&[("GET", "/a/{x:int64}/b"), ("GET", "/a/{y:int32}/b")]).is_ok());
    }
}
