//! The request log: one line per answered request.
//!
//! Lines go one of two ways ([`RequestLog`]). A program embedding docmock
//! gets them as `tracing` events with target [`TARGET`], for its own
//! subscriber to format. The `docmock` binary formats them here and appends
//! them to its [`LogSink`]: the line is written while the request is being
//! answered, at full load, so it is built from plain strings and numbers
//! with no `fmt` machinery or event dispatch, and the date part of its
//! timestamp is formatted once a second. `RUST_LOG` decides for both ways
//! whether request lines are written; for the binary's lines it is asked
//! once, when the log is set up.
//!
//! Text lines keep the shape of the other log lines
//! (`2026-01-02T03:04:05.123456Z  INFO docmock::request: method=GET …`);
//! JSON lines carry the same keys as the other JSON log lines.

use std::cell::RefCell;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::serve::log_sink::LogSink;

/// The `tracing` target of request lines.
pub const TARGET: &str = "docmock::request";

/// [`RequestLine::endpoint_json`] of a request no endpoint matched.
pub const UNMATCHED_JSON: &str = "\"-\"";

/// How request lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineFormat {
    /// `key=value` text, with colours on a terminal.
    Text {
        /// Whether to colour the timestamp, level and target.
        ansi: bool,
    },
    /// One JSON object per line.
    Json,
}

/// What is logged of one answered request.
#[derive(Debug, Clone, Copy)]
pub struct RequestLine<'a> {
    /// Method.
    pub method: &'a str,
    /// Path, as received.
    pub path: &'a str,
    /// The matched endpoint's id, `-` when none matched.
    pub endpoint: &'a str,
    /// `endpoint` as a JSON string literal, quotes included (see
    /// [`crate::contract::catalog::Endpoint::id_json`] and [`UNMATCHED_JSON`]).
    pub endpoint_json: &'a str,
    /// Status answered.
    pub status: u16,
    /// The verdict on the request (`valid`, `invalid`, …): a word that
    /// needs no quoting or escaping.
    pub verdict: &'static str,
    /// Time to answer, in microseconds.
    pub micros: u64,
    /// The client's address.
    pub peer: &'a str,
    /// Why the answer's format is not the one the request seems to ask
    /// for: one line the user can act on, written last.
    pub note: Option<&'a str>,
}

impl RequestLine<'_> {
    /// Emits the line as an `INFO` event with target [`TARGET`].
    fn emit(&self) {
        // An absent note records nothing, so the line has no `note` field.
        tracing::info!(
            target: "docmock::request",
            method = self.method,
            path = self.path,
            endpoint = self.endpoint,
            status = self.status,
            verdict = self.verdict,
            micros = self.micros,
            peer = self.peer,
            note = self.note,
        );
    }
}

/// Where request lines go.
#[derive(Debug, Clone, Default)]
pub enum RequestLog {
    /// `tracing` events with target [`TARGET`], for the program's own
    /// subscriber.
    #[default]
    Events,
    /// Lines formatted here and appended to `sink`, every one of them:
    /// [`RequestLog::lines`] asks `RUST_LOG` first.
    Lines {
        /// Where the lines go.
        sink: LogSink,
        /// Text or JSON.
        format: LineFormat,
    },
    /// No request lines.
    Off,
}

thread_local! {
    /// `YYYY-MM-DDTHH:MM:SS` of the second last formatted on this thread.
    static SECOND: RefCell<(u64, [u8; 19])> = const { RefCell::new((u64::MAX, [0; 19])) };
}

impl RequestLog {
    /// Lines appended to `sink`, or [`RequestLog::Off`] when the filter of
    /// the current `tracing` subscriber leaves request lines out. The filter
    /// is asked here once rather than for every line, so it must not change
    /// afterwards (the binary's does not).
    pub fn lines(sink: LogSink, format: LineFormat) -> RequestLog {
        if tracing::enabled!(target: TARGET, tracing::Level::INFO) {
            RequestLog::Lines { sink, format }
        } else {
            RequestLog::Off
        }
    }

    /// Logs `line`, answered at `at`.
    pub fn write(&self, line: &RequestLine<'_>, at: SystemTime) {
        match self {
            RequestLog::Events => line.emit(),
            RequestLog::Off => {}
            RequestLog::Lines { sink, format } => {
                let size = 160
                    + line.path.len()
                    + line.endpoint_json.len()
                    + line.peer.len()
                    + line.note.map_or(0, str::len);
                sink.append_with(size, |buffer| match *format {
                    LineFormat::Text { ansi } => write_text(buffer, at, ansi, line),
                    LineFormat::Json => write_json(buffer, at, line),
                });
            }
        }
    }
}

fn write_text(out: &mut Vec<u8>, at: SystemTime, ansi: bool, line: &RequestLine<'_>) {
    // The level right-aligned to five characters, as in the other log lines.
    let (before, after): (&[u8], &[u8]) = if ansi {
        (
            b"\x1b[2m",
            b"\x1b[0m \x1b[32m INFO\x1b[0m \x1b[2mdocmock::request:\x1b[0m method=",
        )
    } else {
        (b"", b"  INFO docmock::request: method=")
    };
    out.extend_from_slice(before);
    write_timestamp(out, at);
    out.extend_from_slice(after);
    out.extend_from_slice(line.method.as_bytes());
    out.extend_from_slice(b" path=");
    out.extend_from_slice(line.path.as_bytes());
    out.extend_from_slice(b" endpoint=");
    out.extend_from_slice(line.endpoint_json.as_bytes());
    out.extend_from_slice(b" status=");
    out.extend_from_slice(itoa::Buffer::new().format(line.status).as_bytes());
    out.extend_from_slice(b" verdict=\"");
    out.extend_from_slice(line.verdict.as_bytes());
    out.extend_from_slice(b"\" micros=");
    out.extend_from_slice(itoa::Buffer::new().format(line.micros).as_bytes());
    out.extend_from_slice(b" peer=");
    out.extend_from_slice(line.peer.as_bytes());
    if let Some(note) = line.note {
        out.extend_from_slice(b" note=");
        write_json_string(out, note);
    }
    out.push(b'\n');
}

fn write_json(out: &mut Vec<u8>, at: SystemTime, line: &RequestLine<'_>) {
    out.extend_from_slice(br#"{"timestamp":""#);
    write_timestamp(out, at);
    out.extend_from_slice(br#"","level":"INFO","method":"#);
    write_json_string(out, line.method);
    out.extend_from_slice(br#","path":"#);
    write_json_string(out, line.path);
    out.extend_from_slice(br#","endpoint":"#);
    out.extend_from_slice(line.endpoint_json.as_bytes());
    out.extend_from_slice(br#","status":"#);
    out.extend_from_slice(itoa::Buffer::new().format(line.status).as_bytes());
    out.extend_from_slice(br#","verdict":""#);
    out.extend_from_slice(line.verdict.as_bytes());
    out.push(b'"');
    out.extend_from_slice(br#","micros":"#);
    out.extend_from_slice(itoa::Buffer::new().format(line.micros).as_bytes());
    out.extend_from_slice(br#","peer":"#);
    write_json_string(out, line.peer);
    if let Some(note) = line.note {
        out.extend_from_slice(br#","note":"#);
        write_json_string(out, note);
    }
    out.extend_from_slice(br#","target":""#);
    out.extend_from_slice(TARGET.as_bytes());
    out.extend_from_slice(b"\"}\n");
}

/// RFC 3339 in UTC with microseconds: `2026-01-02T03:04:05.123456Z`.
fn write_timestamp(out: &mut Vec<u8>, at: SystemTime) {
    let since_epoch = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = since_epoch.as_secs();
    SECOND.with_borrow_mut(|(cached, text)| {
        if *cached != seconds {
            let formatted = i64::try_from(seconds)
                .ok()
                .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
                .unwrap_or_default()
                .format("%Y-%m-%dT%H:%M:%S")
                .to_string();
            if formatted.len() == text.len() {
                text.copy_from_slice(formatted.as_bytes());
                *cached = seconds;
            }
        }
        out.extend_from_slice(text);
    });
    let mut digits = *b".000000Z";
    let mut rest = since_epoch.subsec_micros();
    for digit in digits[1..7].iter_mut().rev() {
        *digit = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    out.extend_from_slice(&digits);
}

/// A JSON string literal. Ids and paths rarely need escaping, so the check
/// for it comes first.
fn write_json_string(out: &mut Vec<u8>, value: &str) {
    if !needs_escaping(value.as_bytes()) {
        out.push(b'"');
        out.extend_from_slice(value.as_bytes());
        out.push(b'"');
    } else {
        // Writing into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, value);
    }
}

/// Whether `bytes` hold a control character, `"` or `\`, which a JSON
/// string must escape.
///
/// Eight bytes are looked at in one step, as the bits of a `u64`: a byte
/// that is zero after subtracting one from it had its top bit clear and
/// now has it set. Checking byte by byte cost more than the rest of the
/// request line.
fn needs_escaping(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const TOPS: u64 = u64::from_ne_bytes([0x80; 8]);
    /// Whether a byte of `word` is below `n` (`n` at most 0x80).
    fn any_below(word: u64, n: u8) -> bool {
        word.wrapping_sub(ONES * u64::from(n)) & !word & TOPS != 0
    }
    fn any_equal(word: u64, b: u8) -> bool {
        any_below(word ^ (ONES * u64::from(b)), 1)
    }
    let mut chunks = bytes.chunks_exact(8);
    let found = chunks.by_ref().any(|chunk| {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_ne_bytes(word);
        any_below(word, 0x20) || any_equal(word, b'"') || any_equal(word, b'\\')
    });
    found
        || chunks
            .remainder()
            .iter()
            .any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::{Arc, Mutex};
    use tracing_subscriber::filter::LevelFilter;
    use tracing_subscriber::layer::SubscriberExt;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .expect("not poisoned")
                .extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// What `line` becomes under a subscriber that lets `level` through.
    fn logged(format: LineFormat, level: LevelFilter, line: RequestLine<'_>) -> String {
        let output = Captured::default();
        let (sink, guard) = LogSink::new(output.clone()).expect("writer starts");
        let subscriber = tracing_subscriber::registry().with(level);
        tracing::subscriber::with_default(subscriber, || {
            RequestLog::lines(sink, format).write(&line, SystemTime::now());
        });
        drop(guard);
        let bytes = output.0.lock().expect("not poisoned").clone();
        String::from_utf8(bytes).expect("UTF-8")
    }

    const LINE: RequestLine<'static> = RequestLine {
        method: "GET",
        path: "/r7/api/2.0/crm/contact/1234",
        endpoint: "r7/get-crm-contact-contactid",
        endpoint_json: "\"r7/get-crm-contact-contactid\"",
        status: 200,
        verdict: "valid",
        micros: 35,
        peer: "127.0.0.1:50000",
        note: None,
    };

    #[test]
    fn text_lines_look_like_the_other_log_lines() {
        let text = logged(LineFormat::Text { ansi: false }, LevelFilter::INFO, LINE);
        assert_eq!(text.lines().count(), 1, "{text}");
        let (timestamp, rest) = text.split_once(' ').expect("timestamp");
        assert!(
            chrono::DateTime::parse_from_rfc3339(timestamp).is_ok(),
            "{timestamp}"
        );
        assert_eq!(timestamp.len(), "2026-01-02T03:04:05.123456Z".len());
        assert_eq!(
            rest,
            " INFO docmock::request: method=GET path=/r7/api/2.0/crm/contact/1234 \
             endpoint=\"r7/get-crm-contact-contactid\" status=200 verdict=\"valid\" \
             micros=35 peer=127.0.0.1:50000\n"
        );
    }

    #[test]
    fn a_note_ends_the_line_quoted() {
        let line = RequestLine {
            note: Some("Accept is ignored; add .xml to the path"),
            ..LINE
        };
        let text = logged(LineFormat::Text { ansi: false }, LevelFilter::INFO, line);
        assert!(
            text.ends_with(
                " peer=127.0.0.1:50000 note=\"Accept is ignored; add .xml to the path\"\n"
            ),
            "{text}"
        );
        let json = logged(LineFormat::Json, LevelFilter::INFO, line);
        let value: serde_json::Value = serde_json::from_str(json.trim()).expect("one JSON line");
        assert_eq!(value["note"], "Accept is ignored; add .xml to the path");
    }

    #[test]
    fn json_lines_are_objects_with_every_field() {
        let line = RequestLine {
            path: "/odd/\"quoted\"/path",
            ..LINE
        };
        let text = logged(LineFormat::Json, LevelFilter::INFO, line);
        let value: serde_json::Value = serde_json::from_str(text.trim()).expect("one JSON line");
        assert_eq!(value["level"], "INFO");
        assert_eq!(value["target"], TARGET);
        assert_eq!(value["method"], "GET");
        assert_eq!(value["path"], "/odd/\"quoted\"/path");
        assert_eq!(value["endpoint"], "r7/get-crm-contact-contactid");
        assert_eq!(value["status"], 200);
        assert_eq!(value["verdict"], "valid");
        assert_eq!(value["micros"], 35);
        assert_eq!(value["peer"], "127.0.0.1:50000");
        let timestamp = value["timestamp"].as_str().expect("timestamp");
        assert!(chrono::DateTime::parse_from_rfc3339(timestamp).is_ok());
    }

    #[test]
    fn rust_log_can_leave_request_lines_out() {
        let text = logged(LineFormat::Json, LevelFilter::WARN, LINE);
        assert_eq!(text, "");
    }

    #[test]
    fn timestamps_carry_the_date_of_their_own_second() {
        let mut line = Vec::new();
        let at = UNIX_EPOCH + std::time::Duration::from_micros(1_767_323_045_000_123);
        write_timestamp(&mut line, at);
        line.push(b' ');
        write_timestamp(&mut line, at + std::time::Duration::from_secs(86_400));
        assert_eq!(
            String::from_utf8(line).expect("ASCII"),
            "2026-01-02T03:04:05.000123Z 2026-01-03T03:04:05.000123Z"
        );
    }

    #[test]
    fn the_word_at_a_time_check_agrees_with_a_byte_at_a_time_check() {
        let naive = |bytes: &[u8]| bytes.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\');
        for len in 0..20 {
            for at in 0..len {
                for byte in 0..=255u8 {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = byte;
                    assert_eq!(
                        needs_escaping(&bytes),
                        naive(&bytes),
                        "byte {byte:#x} at {at} of {len}"
                    );
                }
            }
        }
        // Bytes just around the ones looked for, in every lane at once.
        for byte in [
            0x1f, 0x20, 0x21, 0x22, 0x23, 0x5b, 0x5c, 0x5d, 0x7f, 0x80, 0xff,
        ] {
            let bytes = [byte; 16];
            assert_eq!(needs_escaping(&bytes), naive(&bytes), "{byte:#x}");
        }
    }

    #[test]
    fn strings_that_need_escaping_are_escaped() {
        let mut out = Vec::new();
        write_json_string(&mut out, "a\"b\\c\nd");
        assert_eq!(out, br#""a\"b\\c\nd""#);
    }
}
