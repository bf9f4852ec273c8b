//! Matching a request path and method to a documented endpoint.
//!
//! Routes are the endpoints' path templates behind their API's mount prefix.
//! Literal segments match ignoring ASCII case (as the vendors' ASP.NET routing
//! does); a literal outranks a `{param}` at the first position where two
//! candidates differ. Two routes that would match the same request with the
//! same rank are refused when the router is built.

use std::borrow::Cow;

use http::Method;
use percent_encoding::percent_decode_str;
use smallvec::SmallVec;

use crate::contract::catalog::{Catalog, LoadError, Segment};

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
    /// The mounted path template as people read it.
    pub template: String,
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
}

/// One position in the tree of segments.
#[derive(Debug, Clone, Default)]
struct Node {
    /// Literal children by lower-cased text, sorted by length and then
    /// text for binary search. Once the tree is built, a child that only
    /// leads on to one literal is skipped: its key then spans several
    /// segments joined by `/` (see [`Router::compact`]).
    literals: Vec<(Box<str>, usize)>,
    /// The child for a `{param}` at this position.
    param: Option<usize>,
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
            [only] if self.param.is_none() && self.routes.is_empty() => Some(only),
            _ => None,
        }
    }
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
        };
        let mut errors = Vec::new();
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
            let route = Route {
                endpoint: index,
                api: endpoint.api,
                method: endpoint.method.clone(),
                segments,
                template,
            };
            if let Err(other) = router.insert(route.clone()) {
                let first = &router.routes[other];
                errors.push(LoadError {
                    file: endpoint.file.clone(),
                    location: "/path".into(),
                    message: format!(
                        "{} {} would match the same requests as {} {} in {}; \
                         expected each request to match one route",
                        route.method,
                        route.template,
                        first.method,
                        first.template,
                        catalog.endpoints[first.endpoint].file.display()
                    ),
                });
            }
        }
        if errors.is_empty() {
            router.compact();
            Ok(router)
        } else {
            Err(errors)
        }
    }

    /// Adds `route` to the tree. A route already ending at the same place
    /// with the same method would match the same requests: its index is the
    /// error.
    fn insert(&mut self, route: Route) -> Result<(), usize> {
        let mut node = 0;
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
                Segment::Param(_) => match self.nodes[node].param {
                    Some(child) => child,
                    None => {
                        let child = self.new_node();
                        self.nodes[node].param = Some(child);
                        child
                    }
                },
            };
        }
        if let Some(&other) = self.nodes[node]
            .routes
            .iter()
            .find(|&&i| self.routes[i].method == route.method)
        {
            return Err(other);
        }
        self.nodes[node].routes.push(self.routes.len());
        self.routes.push(route);
        Ok(())
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

    fn new_node(&mut self) -> usize {
        self.nodes.push(Node::default());
        self.nodes.len() - 1
    }

    /// Every mounted route, in catalog order.
    pub fn routes(&self) -> &[Route] {
        &self.routes
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
        if let Some((route, bound)) = self.find(path, want) {
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

    /// The best-ranked route for `method` matching `path`, and the pieces
    /// its parameters bound, in order.
    ///
    /// Depth first, the literal child before the parameter child, so the
    /// first route found has a literal wherever the candidates first differ.
    /// The parameter children passed over wait on a stack, deepest on top,
    /// with the offset in `path` they continue from and how many pieces
    /// were bound when they were passed over.
    fn find<'p>(&self, path: &'p str, method: &Method) -> Option<(&Route, Bound<'p>)> {
        let bytes = path.as_bytes();
        let mut untried: SmallVec<[(usize, usize, usize); 8]> = SmallVec::new();
        let mut bound = Bound::new();
        let (mut node, mut at) = (0, 0);
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
            } else {
                match (here.literal_at(path, at), here.param) {
                    (Some((literal, end)), param) => {
                        if let Some(param) = param {
                            untried.push((param, at, bound.len()));
                        }
                        (node, at) = (literal, end);
                        continue;
                    }
                    (None, Some(param)) => {
                        let end = piece_end(bytes, at);
                        bound.push(path.get(at..end)?);
                        (node, at) = (param, end);
                        continue;
                    }
                    (None, None) => {}
                }
            }
            let (param, start, bound_before) = untried.pop()?;
            let end = piece_end(bytes, start);
            bound.truncate(bound_before);
            bound.push(path.get(start..end)?);
            (node, at) = (param, end);
        }
    }

    /// Every route under `node` matching `path` from offset `at`, whatever
    /// its method.
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
        if let Some(param) = node.param {
            self.all_matching(param, path, piece_end(path.as_bytes(), at), out);
        }
    }

    /// Up to `limit` mounted routes whose templates look most like `path`,
    /// for 404 bodies.
    pub fn nearest(&self, path: &str, limit: usize) -> Vec<&Route> {
        let wanted = shape_of_path(path);
        let mut scored: Vec<(f64, &Route)> = self
            .routes
            .iter()
            .map(|route| {
                let shape = shape_of_template(&route.segments);
                (strsim::normalized_levenshtein(&wanted, &shape), route)
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.template.cmp(&b.1.template)));
        scored.into_iter().take(limit).map(|(_, r)| r).collect()
    }
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
    let decodable = bytes
        .windows(3)
        .any(|w| w[0] == b'%' && unreserved_escape(w).is_some());
    let dotted = path.split('/').any(|s| s == "." || s == "..");
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

/// A path with ids folded to `{}` so that it compares with templates.
fn shape_of_path(path: &str) -> String {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            if s.chars().all(|c| c.is_ascii_digit() || c == '-') {
                "{}".to_string()
            } else {
                s.to_ascii_lowercase()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn shape_of_template(segments: &[Segment]) -> String {
    segments
        .iter()
        .map(|s| match s {
            Segment::Literal(text) => text.to_ascii_lowercase(),
            Segment::Param(_) => "{}".to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A router over `templates` (method, template), all in API 0.
    fn router(templates: &[(&str, &str)]) -> Result<Router, usize> {
        let mut router = Router {
            routes: Vec::new(),
            nodes: vec![Node::default()],
            prefixes: vec![(0, String::new())],
        };
        for (i, (method, template)) in templates.iter().enumerate() {
            router.insert(Route {
                endpoint: i,
                api: 0,
                method: Method::from_bytes(method.as_bytes()).expect("method"),
                segments: crate::contract::catalog::PathTemplate::parse(template)
                    .expect("valid template")
                    .segments,
                template: template.to_string(),
            })?;
        }
        router.compact();
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
    fn routes_with_params_in_the_same_places_conflict() {
        assert_eq!(
            router(&[("GET", "/a/{x}/b"), ("GET", "/A/{y}/b")]).err(),
            Some(0)
        );
        assert!(router(&[("GET", "/a/{x}/b"), ("PUT", "/a/{y}/b")]).is_ok());
        assert!(router(&[("GET", "/a/{x}/b"), ("GET", "/a/c/b")]).is_ok());
    }
}
