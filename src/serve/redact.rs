//! Credentials masked before a request is journaled or logged.
//!
//! The journal is readable through the admin API and the log goes wherever
//! stderr goes, so neither keeps a secret a client sent: the value of a
//! query parameter, form field or JSON member named like a credential, at
//! any depth, becomes [`MASK`] and its name stays, so the entry still says
//! what was sent where. The names are the vendors': ONLYOFFICE's login
//! takes `userName` and `password` (and `provider`, `accessToken`,
//! `codeOAuth`: `module/ASC.Api/ASC.Specific/AuthorizationApi/
//! AuthenticationEntryPoint.cs`, `AuthenticateMe`) and its token travels
//! as `Authorization` or the `asc_auth_key` cookie; SuperOffice's as
//! `Authorization` (`Basic`, `SoTicket`, `Bearer`), `X-XSRF-TOKEN` and
//! `SO-AppToken`, and its pages document `Secret` and `OptionalSecretKey`
//! members. SuperOffice's `Ticket` is a support ticket, not a credential,
//! so it is left alone.

use std::borrow::Cow;

use serde_json::Value;

use crate::contract::problem::Violation;
use crate::contract::spec::Location;

/// What a masked value reads as.
pub const MASK: &str = "***";

/// Whether a parameter, member or header named `name` carries a
/// credential: compared ignoring case, `-` and `_`, so `asc_auth_key`,
/// `X-XSRF-TOKEN`, `accessToken` and `access_token` are all found.
///
/// Every journaled query parameter passes here, so a name is folded on the
/// stack; only one longer than 64 bytes is folded into a `String`.
pub fn is_secret(name: &str) -> bool {
    let mut buffer = [0u8; 64];
    let mut length = 0;
    for byte in name.bytes().filter(|b| !matches!(b, b'-' | b'_')) {
        let Some(slot) = buffer.get_mut(length) else {
            let folded: Vec<u8> = name
                .bytes()
                .filter(|b| !matches!(b, b'-' | b'_'))
                .map(|b| b.to_ascii_lowercase())
                .collect();
            return folded_is_secret(&folded);
        };
        *slot = byte.to_ascii_lowercase();
        length += 1;
    }
    folded_is_secret(&buffer[..length])
}

/// [`is_secret`] of a name already in lower case, without `-` and `_`.
fn folded_is_secret(folded: &[u8]) -> bool {
    const NAMES: [&str; 6] = [
        "pwd",
        "ascauthkey",
        "codeoauth",
        "authorization",
        "cookie",
        "soticket",
    ];
    // `password`, `newPassword`, `CredentialsUserPassword`, `passwordHash`;
    // `token`, `accessToken`, `SO-AppToken`; `secret`, `client_secret`,
    // `OptionalSecretKey`; `apiKey`.
    const ENDINGS: [&str; 6] = [
        "password",
        "passwordhash",
        "token",
        "secret",
        "secretkey",
        "apikey",
    ];
    NAMES.iter().any(|n| n.as_bytes() == folded)
        || ENDINGS.iter().any(|e| folded.ends_with(e.as_bytes()))
}

/// `query` with the value of every credential parameter masked; the
/// query as it is (borrowed) when it holds none, which is the common case.
///
/// Names are compared decoded (`asc%5Fauth%5Fkey` is `asc_auth_key`), and
/// everything else is kept byte for byte, so the entry shows what was sent.
pub fn query(query: &str) -> Cow<'_, str> {
    query_with(query, MASK)
}

/// [`query`], each credential's value replaced by `mask` (the recorder
/// writes a placeholder a recorded request can still send).
pub fn query_with<'q>(query: &'q str, mask: &str) -> Cow<'q, str> {
    if !query.split('&').any(|pair| secret_pair(pair).is_some()) {
        return Cow::Borrowed(query);
    }
    let masked: Vec<Cow<'_, str>> = query
        .split('&')
        .map(|pair| match secret_pair(pair) {
            Some(name) => Cow::Owned(format!("{name}={mask}")),
            None => Cow::Borrowed(pair),
        })
        .collect();
    Cow::Owned(masked.join("&"))
}

/// The name of `pair` (`name=value`) when it names a credential and has a
/// value to mask.
fn secret_pair(pair: &str) -> Option<&str> {
    let (name, value) = pair.split_once('=')?;
    if value.is_empty() {
        return None;
    }
    // Most names need no decoding, and are read as they are.
    let decoded: Cow<'_, str> = if name.contains(['%', '+']) {
        form_urlencoded::parse(name.as_bytes())
            .map(|(k, _)| k)
            .next()
            .unwrap_or_default()
    } else {
        Cow::Borrowed(name)
    };
    // `password[0]` and `user[password]` are form names for a list item
    // and a member: any piece naming a credential masks the value.
    let secret = decoded
        .split(['[', ']', '.'])
        .any(|piece| !piece.is_empty() && is_secret(piece));
    secret.then_some(name)
}

/// Masks what `violations` quote of a credential, and the same text in
/// `message` (which quotes the violations, in their order).
///
/// A violation at a credential (`body /password`, `query /asc_auth_key`,
/// `header /Authorization`) has its `got` masked whole; a `got` holding a
/// JSON value (an object sent where a string was expected) has its
/// credential members masked at any depth; a `got` cut short, or otherwise
/// unreadable, that names a credential is masked whole, since what it
/// holds cannot be told apart.
///
/// The message is rewritten in one pass, each masked text looked for after
/// the one before, so that a body with thousands of such violations costs
/// the length of the message once, not once per violation. A message that
/// lists only some violations (the first ones) misses the others; after a
/// few texts not found, the rest are not looked for.
pub fn violations(violations: &mut [Violation], message: &mut Option<String>) {
    /// Texts not found in the message before the rest are not looked for.
    const MISSES: usize = 8;
    let mut rewritten: Option<String> = None;
    // How much of the message has been copied to `rewritten`.
    let mut cursor = 0;
    let mut misses = 0;
    for violation in violations {
        let Some(got) = &violation.got else {
            continue;
        };
        let masked = if pointer_is_secret(violation) {
            Some(MASK.to_string())
        } else {
            quoted_value(got)
        };
        let Some(masked) = masked else {
            continue;
        };
        if let Some(text) = message.as_deref()
            && misses < MISSES
        {
            match text[cursor..].find(got.as_str()) {
                Some(at) => {
                    let out = rewritten.get_or_insert_with(|| String::with_capacity(text.len()));
                    out.push_str(&text[cursor..cursor + at]);
                    out.push_str(&masked);
                    cursor += at + got.len();
                }
                None => misses += 1,
            }
        }
        violation.got = Some(masked);
    }
    if let (Some(mut out), Some(text)) = (rewritten, message.as_mut()) {
        out.push_str(&text[cursor..]);
        *text = out;
    }
}

/// Whether the violation is about a credential: a piece of its pointer, or
/// the header it names.
fn pointer_is_secret(violation: &Violation) -> bool {
    let pieces = violation.pointer.split('/').filter(|p| !p.is_empty());
    match violation.location {
        Location::Header => pieces.take(1).any(is_secret),
        _ => pieces.map(unescape).any(|p| is_secret(&p)),
    }
}

/// A JSON pointer piece as the name it stands for (RFC 6901).
fn unescape(piece: &str) -> Cow<'_, str> {
    if piece.contains('~') {
        Cow::Owned(piece.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(piece)
    }
}

/// `got` with its credentials masked, or `None` when it holds none.
fn quoted_value(got: &str) -> Option<String> {
    let trimmed = got.trim_start();
    if !trimmed.starts_with(['{', '[']) {
        return None;
    }
    match serde_json::from_str::<Value>(got) {
        Ok(mut value) => json(&mut value).then(|| value.to_string()),
        Err(_) => names_a_secret(got).then(|| MASK.to_string()),
    }
}

/// Masks every credential member of `value`, at any depth; whether there
/// was one.
pub fn json(value: &mut Value) -> bool {
    json_with(value, MASK)
}

/// [`json`], each non-null credential member replaced by `mask`.
pub fn json_with(value: &mut Value, mask: &str) -> bool {
    match value {
        Value::Object(members) => {
            let mut masked = false;
            for (name, member) in members.iter_mut() {
                if is_secret(name) {
                    if !member.is_null() {
                        *member = Value::from(mask);
                        masked = true;
                    }
                } else {
                    masked |= json_with(member, mask);
                }
            }
            masked
        }
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |masked, item| json_with(item, mask) | masked),
        _ => false,
    }
}

/// Whether `text` holds a quoted member name that is a credential's.
fn names_a_secret(text: &str) -> bool {
    text.split('"')
        .skip(1)
        .step_by(2)
        .any(|name| name.len() <= 64 && is_secret(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vendors_credential_names_are_secrets_and_their_neighbours_are_not() {
        for name in [
            "password",
            "Password",
            "newPassword",
            "CredentialsUserPassword",
            "passwordHash",
            "pwd",
            "asc_auth_key",
            "token",
            "accessToken",
            "access_token",
            "SO-AppToken",
            "X-XSRF-TOKEN",
            "Authorization",
            "Cookie",
            "codeOAuth",
            "Secret",
            "client_secret",
            "OptionalSecretKey",
        ] {
            assert!(is_secret(name), "{name}");
        }
        for name in [
            "userName",
            "Ticket",
            "TicketId",
            "contactid",
            "keep",
            "Secretary",
        ] {
            assert!(!is_secret(name), "{name}");
        }
        // Names too long to fold on the stack are read all the same.
        assert!(is_secret(&format!("{}Password", "a".repeat(100))));
        assert!(!is_secret(&"a".repeat(100)));
    }

    #[test]
    fn a_query_keeps_everything_but_the_credential_values() {
        assert!(matches!(query("a=1&b=2"), Cow::Borrowed("a=1&b=2")));
        assert_eq!(
            query("asc_auth_key=abc&contactid=5&PASSWORD=x%20y&token="),
            "asc_auth_key=***&contactid=5&PASSWORD=***&token="
        );
        assert_eq!(query("asc%5Fauth%5Fkey=abc"), "asc%5Fauth%5Fkey=***");
        assert_eq!(
            query("user[password]=p&password[0]=q"),
            "user[password]=***&password[0]=***"
        );
        assert_eq!(query("password"), "password");
    }

    fn violation(location: Location, pointer: &str, got: &str) -> Violation {
        Violation {
            location,
            pointer: pointer.into(),
            expected: "a string".into(),
            got: Some(got.into()),
        }
    }

    #[test]
    fn violations_lose_what_they_quote_of_a_credential_and_the_message_with_them() {
        let mut list = vec![
            violation(Location::Body, "/password", "{\"value\":\"hunter2\"}"),
            violation(
                Location::Body,
                "/user",
                "{\"name\":\"a\",\"auth\":{\"Token\":\"t0k\"}}",
            ),
            violation(Location::Body, "/list", "[{\"pwd\":\"p\"},1]"),
            violation(Location::Body, "/cut", "{\"password\":\"abc…"),
            violation(Location::Header, "/Authorization", "\"Basic abc\""),
            violation(Location::Query, "/contactid", "\"abc\""),
        ];
        let mut message = Some(
            "the request breaks the documented contract: body /password: expected a string, \
             got {\"value\":\"hunter2\"}; header /Authorization: expected a string, got \"Basic abc\""
                .to_string(),
        );
        violations(&mut list, &mut message);
        let got: Vec<&str> = list.iter().filter_map(|v| v.got.as_deref()).collect();
        assert_eq!(
            got,
            [
                "***",
                "{\"name\":\"a\",\"auth\":{\"Token\":\"***\"}}",
                "[{\"pwd\":\"***\"},1]",
                "***",
                "***",
                "\"abc\"",
            ]
        );
        let message = message.expect("message");
        assert!(
            !message.contains("hunter2") && !message.contains("Basic abc"),
            "{message}"
        );
        assert!(
            message.contains("body /password: expected a string, got ***"),
            "{message}"
        );
    }

    #[test]
    fn many_masked_violations_rewrite_the_message_once() {
        let mut list: Vec<Violation> = (0..20_000)
            .map(|i| {
                violation(
                    Location::Body,
                    &format!("/Emails/{i}/password"),
                    "\"hunter2\"",
                )
            })
            .collect();
        let mut message = Some(format!(
            "the request breaks the documented contract: {} and 19,900 more",
            list[..100]
                .iter()
                .map(Violation::describe)
                .collect::<Vec<_>>()
                .join("; ")
        ));
        violations(&mut list, &mut message);
        let message = message.expect("message");
        assert!(!message.contains("hunter2"), "{message}");
        assert!(message.ends_with("got *** and 19,900 more"), "{message}");
        assert!(list.iter().all(|v| v.got.as_deref() == Some(MASK)));
    }

    #[test]
    fn json_members_are_masked_at_any_depth_and_nulls_are_left_null() {
        let mut value = serde_json::json!({
            "userName": "u",
            "password": "p",
            "deep": [{"credentials": {"accessToken": "t", "id": 1}}],
            "token": null,
        });
        assert!(json(&mut value));
        assert_eq!(
            value,
            serde_json::json!({
                "userName": "u",
                "password": "***",
                "deep": [{"credentials": {"accessToken": "***", "id": 1}}],
                "token": null,
            })
        );
        assert!(!json(&mut serde_json::json!({"a": [1, {"b": 2}]})));
    }
}
