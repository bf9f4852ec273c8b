//! The route an undocumented request path stands for.
//!
//! A recorded route must serve more than the one id it was seen with, so a
//! path segment that is an id becomes a `{param}` template: whole numbers
//! (`/crm/contact/1234`) and GUIDs, the ids of both vendors' APIs, as soon
//! as they are seen once, since a literal `1234` would serve one contact
//! only. A segment of letters and digits (`ab12cd`, `user-7`) is an id
//! once it varies: two paths that differ only in such segments are one
//! route, those segments string parameters ([`merge`]). Other segments
//! stay literal: a word (`contact`, `@self`, `Sale`) names a resource far
//! more often than it varies, and two routes wrongly merged into one
//! template would answer each other's requests.

use serde_json::{Value, json};

/// A path parameter of an observed route.
#[derive(Debug, Clone, PartialEq)]
pub struct PathParam {
    /// Its name: the literal segment before it, with `id` (`contactid`),
    /// or `id` where there is none.
    pub name: String,
    /// The value seen.
    pub example: Value,
    /// Its JSON Schema (an integer, or a `uuid` string).
    pub schema: Value,
}

/// An undocumented path read as a route.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed {
    /// The path template (`/api/2.0/crm/contact/{contactid}/session`).
    pub template: String,
    /// Its parameters, in path order.
    pub params: Vec<PathParam>,
    /// Its segments, for [`merge`].
    pieces: Vec<Piece>,
}

/// One segment of an observed route.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    /// Kept as it is.
    Literal(String),
    /// A parameter: its schema and the value seen.
    Param { schema: Value, example: Value },
}

/// Whether a literal segment may be an id that varies: letters and digits
/// both (`-` and `_` allowed), not an API version (`v1`, `v2.0`).
fn id_like(segment: &str) -> bool {
    let version = segment.strip_prefix(['v', 'V']).is_some_and(|rest| {
        !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit() || c == '.')
    });
    !version
        && segment.chars().any(|c| c.is_ascii_digit())
        && segment.chars().any(|c| c.is_ascii_alphabetic())
        && segment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The one route `recorded` and `seen` are, when they differ only where
/// `recorded` has a string parameter or both have [`id_like`] literals
/// (those become string parameters); `None` when they are other routes.
/// `recorded` itself when `seen` is one of its paths.
pub fn merge(recorded: &Observed, seen: &Observed) -> Option<Observed> {
    if recorded.pieces.len() != seen.pieces.len() {
        return None;
    }
    let string = || json!({"type": "string"});
    let mut pieces = Vec::with_capacity(recorded.pieces.len());
    for (old, new) in recorded.pieces.iter().zip(&seen.pieces) {
        let piece = match (old, new) {
            (Piece::Literal(a), Piece::Literal(b)) if a.eq_ignore_ascii_case(b) => old.clone(),
            (Piece::Literal(a), Piece::Literal(b)) if id_like(a) && id_like(b) => Piece::Param {
                schema: string(),
                example: Value::from(a.as_str()),
            },
            (Piece::Param { schema, .. }, Piece::Literal(b))
                if *schema == string() && id_like(b) =>
            {
                old.clone()
            }
            (Piece::Param { schema: a, .. }, Piece::Param { schema: b, .. }) if a == b => {
                old.clone()
            }
            _ => return None,
        };
        pieces.push(piece);
    }
    Some(assemble(pieces))
}

/// The template and named parameters of `pieces`.
fn assemble(pieces: Vec<Piece>) -> Observed {
    let mut template = String::new();
    let mut params: Vec<PathParam> = Vec::new();
    let mut previous: Option<&str> = None;
    for piece in &pieces {
        template.push('/');
        match piece {
            Piece::Literal(segment) => {
                template.push_str(segment);
                previous = Some(segment);
            }
            Piece::Param { schema, example } => {
                let stem: String = previous
                    .unwrap_or_default()
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .map(|c| c.to_ascii_lowercase())
                    .collect();
                let base = format!("{stem}id");
                let mut name = base.clone();
                let mut count = 1;
                while params.iter().any(|p| p.name.eq_ignore_ascii_case(&name)) {
                    count += 1;
                    name = format!("{base}{count}");
                }
                template.push('{');
                template.push_str(&name);
                template.push('}');
                params.push(PathParam {
                    name,
                    example: example.clone(),
                    schema: schema.clone(),
                });
                previous = None;
            }
        }
    }
    Observed {
        template,
        params,
        pieces,
    }
}

/// Characters a recorded literal segment may hold: RFC 3986's unreserved
/// and sub-delimiters, `:` and `@`. Anything else (a space, `%`, `{`,
/// letters outside ASCII) is refused rather than guessed at.
fn literal_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@".contains(c)
}

/// `8-4-4-4-12` hexadecimal digits, with or without braces.
fn is_guid(segment: &str) -> bool {
    let inner = segment
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .unwrap_or(segment);
    let groups: Vec<&str> = inner.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Reads `path` (no query, no mount prefix) as a route. `strip_suffix`
/// removes a `.json` / `.xml` ending from the last segment, as the
/// ONLYOFFICE dialects' routers do before matching. `Err` says why the
/// path cannot be a route.
pub fn observe(path: &str, strip_suffix: bool) -> Result<Observed, String> {
    if !path.starts_with('/') {
        return Err(format!("the path {path:?} does not begin with `/`"));
    }
    let mut segments: Vec<&str> = path.split('/').skip(1).collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Err(format!(
            "the path {path:?} has an empty segment (`//` or a closing `/`)"
        ));
    }
    if strip_suffix && let Some(last) = segments.last_mut() {
        for suffix in [".json", ".xml"] {
            if last.len() > suffix.len()
                && last
                    .get(last.len() - suffix.len()..)
                    .is_some_and(|end| end.eq_ignore_ascii_case(suffix))
            {
                *last = &last[..last.len() - suffix.len()];
            }
        }
    }
    let mut pieces = Vec::with_capacity(segments.len());
    for segment in segments {
        let piece = if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            Piece::Param {
                schema: json!({"type": "integer"}),
                example: segment
                    .parse::<i64>()
                    .map(Value::from)
                    .unwrap_or_else(|_| Value::from(segment)),
            }
        } else if is_guid(segment) {
            Piece::Param {
                schema: json!({"type": "string", "format": "uuid"}),
                example: Value::from(segment.trim_matches(['{', '}'])),
            }
        } else {
            if let Some(odd) = segment.chars().find(|&c| !literal_char(c)) {
                return Err(format!(
                    "the path segment {segment:?} holds {odd:?}, which a recorded route does not take"
                ));
            }
            Piece::Literal(segment.to_string())
        };
        pieces.push(piece);
    }
    let observed = assemble(pieces);
    if observed.template.is_empty() {
        return Err("the path is `/`, which names no resource".into());
    }
    Ok(observed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_guids_become_parameters_named_after_what_they_follow() {
        let observed = observe("/api/2.0/crm/contact/1234/tag/7.json", true).expect("a route");
        assert_eq!(
            observed.template,
            "/api/2.0/crm/contact/{contactid}/tag/{tagid}"
        );
        assert_eq!(observed.params[0].example, json!(1234));
        let observed = observe(
            "/api/v1/Doc/0f8fad5b-d9cb-469f-a165-70867728950e/5/6",
            false,
        )
        .expect("a route");
        assert_eq!(observed.template, "/api/v1/Doc/{docid}/{id}/{id2}");
        assert_eq!(observed.params[0].schema["format"], "uuid");
    }

    #[test]
    fn words_stay_literal_and_odd_paths_say_why_they_are_refused() {
        assert_eq!(
            observe("/api/2.0/people/@self", true)
                .expect("a route")
                .template,
            "/api/2.0/people/@self"
        );
        for path in ["/a b", "/a%20b", "/a/{x}", "/a//b", "", "/", "/почта"] {
            assert!(observe(path, true).is_err(), "{path}");
        }
    }

    #[test]
    fn letters_and_digits_that_vary_become_a_string_parameter() {
        let seen = |path: &str| observe(path, false).expect("a route");
        let first = seen("/api/v1/User/ab12cd/Mail/5");
        let merged = merge(&first, &seen("/api/v1/User/ef34gh/Mail/6")).expect("one route");
        assert_eq!(merged.template, "/api/v1/User/{userid}/Mail/{mailid}");
        assert_eq!(merged.params[0].schema, json!({"type": "string"}));
        assert_eq!(merged.params[0].example, json!("ab12cd"));
        // A third id fits the merged route as it is.
        assert_eq!(
            merge(&merged, &seen("/api/v1/User/zz99/Mail/7")),
            Some(merged.clone())
        );
        // Words, versions and other shapes are other routes.
        assert_eq!(merge(&first, &seen("/api/v1/Group/ab12cd/Mail/5")), None);
        assert_eq!(merge(&first, &seen("/api/v1/User/ab12cd/Mail")), None);
        assert_eq!(merge(&seen("/api/v1/X"), &seen("/api/v2/X")), None);
        assert_eq!(merge(&first, &first), Some(first.clone()));
    }
}
