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

use crate::catalog::{Catalog, LoadError, Segment};

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
    /// Literal positions, compared to prefer fixed segments (computed once).
    rank: Vec<bool>,
}

/// The outcome of routing one request.
#[derive(Debug)]
pub enum Routed<'r, 'p> {
    /// A route matched; its path parameters are bound by name (raw text).
    Found {
        /// The route.
        route: &'r Route,
        /// Path parameters in template order, percent-decoded.
        params: Vec<(&'r str, Cow<'p, str>)>,
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

/// Routes of the mounted APIs, grouped by segment count.
#[derive(Debug, Clone, Default)]
pub struct Router {
    routes: Vec<Route>,
    /// Route indexes by segment count: `by_length[n]` holds the routes of n segments.
    by_length: Vec<Vec<usize>>,
    /// Mounted APIs and their prefixes (`""` for a single API at `/`).
    prefixes: Vec<(usize, String)>,
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
            prefixes,
            ..Router::default()
        };
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
            router.routes.push(Route {
                rank: rank(&segments),
                endpoint: index,
                api: endpoint.api,
                method: endpoint.method.clone(),
                segments,
                template,
            });
        }
        router.check_conflicts(catalog)?;
        for (i, route) in router.routes.iter().enumerate() {
            let length = route.segments.len();
            if router.by_length.len() <= length {
                router.by_length.resize_with(length + 1, Vec::new);
            }
            router.by_length[length].push(i);
        }
        Ok(router)
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
    pub fn route<'p>(&self, method: &Method, path: &'p str) -> Routed<'_, 'p> {
        let pieces = || path.split('/').filter(|s| !s.is_empty());
        let Some(candidates) = self.by_length.get(pieces().count()) else {
            return Routed::NotFound;
        };
        let want = if method == Method::HEAD {
            &Method::GET
        } else {
            method
        };
        let mut best: Option<&Route> = None;
        let mut other_methods: Vec<(&Route, Method)> = Vec::new();
        for &i in candidates {
            let route = &self.routes[i];
            if !matches(&route.segments, pieces()) {
                continue;
            }
            if route.method != *want {
                other_methods.push((route, route.method.clone()));
                continue;
            }
            if best.is_none_or(|b| route.rank > b.rank) {
                best = Some(route);
            }
        }
        if let Some(route) = best {
            let params = route
                .segments
                .iter()
                .zip(pieces())
                .filter_map(|(segment, piece)| match segment {
                    Segment::Param(name) => {
                        Some((name.as_str(), percent_decode_str(piece).decode_utf8_lossy()))
                    }
                    Segment::Literal(_) => None,
                })
                .collect();
            return Routed::Found { route, params };
        }
        if let Some((route, _)) = other_methods.first() {
            let mut allow: Vec<Method> = other_methods.iter().map(|(_, m)| m.clone()).collect();
            if allow.contains(&Method::GET) {
                allow.push(Method::HEAD);
            }
            allow.sort_by(|a, b| a.as_str().cmp(b.as_str()));
            allow.dedup();
            return Routed::MethodNotAllowed {
                allow,
                api: route.api,
            };
        }
        Routed::NotFound
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

    fn check_conflicts(&self, catalog: &Catalog) -> Result<(), Vec<LoadError>> {
        let mut errors = Vec::new();
        for (i, a) in self.routes.iter().enumerate() {
            for b in &self.routes[i + 1..] {
                if a.method == b.method && same_shape(&a.segments, &b.segments) {
                    let (ea, eb) = (
                        &catalog.endpoints[a.endpoint],
                        &catalog.endpoints[b.endpoint],
                    );
                    errors.push(LoadError {
                        file: eb.file.clone(),
                        location: "/path".into(),
                        message: format!(
                            "{} {} would match the same requests as {} {} in {}; \
                             expected each request to match one route",
                            b.method,
                            b.template,
                            a.method,
                            a.template,
                            ea.file.display()
                        ),
                    });
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

fn matches<'p>(segments: &[Segment], pieces: impl Iterator<Item = &'p str>) -> bool {
    segments
        .iter()
        .zip(pieces)
        .all(|(segment, piece)| match segment {
            Segment::Literal(text) => text.eq_ignore_ascii_case(piece),
            Segment::Param(_) => true,
        })
}

/// `true` for every literal position: compared lexicographically, a literal
/// earlier in the path outranks a parameter there.
fn rank(segments: &[Segment]) -> Vec<bool> {
    segments
        .iter()
        .map(|s| matches!(s, Segment::Literal(_)))
        .collect()
}

fn same_shape(a: &[Segment], b: &[Segment]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|pair| match pair {
            (Segment::Literal(x), Segment::Literal(y)) => x.eq_ignore_ascii_case(y),
            (Segment::Param(_), Segment::Param(_)) => true,
            _ => false,
        })
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

    fn segments(template: &str) -> Vec<Segment> {
        crate::catalog::PathTemplate::parse(template)
            .expect("valid template")
            .segments
    }

    #[test]
    fn literals_outrank_parameters_at_the_first_difference() {
        assert!(rank(&segments("/a/list/{x}")) > rank(&segments("/a/{id}/x")));
    }

    #[test]
    fn routes_with_params_in_the_same_places_have_the_same_shape() {
        assert!(same_shape(&segments("/a/{x}/b"), &segments("/A/{y}/b")));
        assert!(!same_shape(&segments("/a/{x}/b"), &segments("/a/c/b")));
    }
}
