//! What the proxied traffic showed, summed up per endpoint, and the report
//! a CI job gates on: `verify`'s table, JSON and JUnit formats, one check
//! per documented endpoint (skipped when the traffic never used it) and
//! one per undocumented route the traffic did use.
//!
//! Memory is bounded: the endpoints are the catalog's, each keeps at most
//! [`FINDINGS_PER_ENDPOINT`] distinct findings, and at most
//! [`UNDOCUMENTED_ROUTES`] undocumented routes are told apart.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::answer::pipeline::Mock;
use crate::contract::dialect::Format;
use crate::verify::{Check, Class, Finding, Outcome, Report};

/// Distinct findings (class and pointer) kept per endpoint; more are
/// counted, not kept.
pub const FINDINGS_PER_ENDPOINT: usize = 100;

/// Distinct undocumented routes (method and path) told apart; the rest are
/// counted together.
pub const UNDOCUMENTED_ROUTES: usize = 500;

/// When the proxy's exit code says the run failed (`--fail-on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// Any failing finding: the portal's answers drift from the
    /// documentation, or a request breaks the documented contract.
    Drift,
    /// Only requests that break the documented contract: the client's
    /// side, when the portal is someone else's to fix.
    Contract,
    /// Never: the report is for reading.
    Never,
}

impl std::str::FromStr for FailOn {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "drift" => Ok(FailOn::Drift),
            "contract" => Ok(FailOn::Contract),
            "never" => Ok(FailOn::Never),
            other => Err(format!("expected drift, contract or never, got {other:?}")),
        }
    }
}

/// One finding as the tally keeps it: the first message, and how often.
#[derive(Debug, Clone)]
struct Seen {
    finding: Finding,
    times: u64,
}

#[derive(Debug, Default)]
struct EndpointTally {
    exchanges: u64,
    last_status: Option<u16>,
    form: Option<Format>,
    findings: Vec<Seen>,
    /// Findings not kept past [`FINDINGS_PER_ENDPOINT`].
    dropped: u64,
}

#[derive(Debug, Default)]
struct Counts {
    /// By catalog index.
    endpoints: HashMap<usize, EndpointTally>,
    /// `METHOD /path` of undocumented requests, and how many.
    undocumented: HashMap<String, u64>,
    undocumented_other: u64,
    /// Exchanges that got no answer from the portal (the client got 502).
    unreached: u64,
    unreached_message: Option<String>,
}

/// The traffic seen so far; shared by every worker.
#[derive(Debug, Default)]
pub struct Tally {
    counts: Mutex<Counts>,
}

impl Tally {
    /// An empty tally.
    pub fn new() -> Tally {
        Tally::default()
    }

    /// Counts one exchange on documented endpoint `index`, with its
    /// findings.
    pub fn documented(&self, index: usize, status: u16, form: Format, findings: &[Finding]) {
        let mut counts = crate::proxy::lock(&self.counts);
        let tally = counts.endpoints.entry(index).or_default();
        tally.exchanges += 1;
        tally.last_status = Some(status);
        tally.form.get_or_insert(form);
        for finding in findings {
            let known = tally.findings.len();
            match tally
                .findings
                .iter_mut()
                .find(|s| s.finding.class == finding.class && s.finding.pointer == finding.pointer)
            {
                Some(seen) => seen.times += 1,
                None if known < FINDINGS_PER_ENDPOINT => tally.findings.push(Seen {
                    finding: finding.clone(),
                    times: 1,
                }),
                None => tally.dropped += 1,
            }
        }
    }

    /// Counts one request no page documents.
    pub fn undocumented(&self, method: &str, path: &str) {
        let mut counts = crate::proxy::lock(&self.counts);
        let key = format!("{method} {}", crate::contract::problem::shorten(path, 200));
        let known = counts.undocumented.len();
        match counts.undocumented.get_mut(&key) {
            Some(times) => *times += 1,
            None if known < UNDOCUMENTED_ROUTES => {
                counts.undocumented.insert(key, 1);
            }
            None => counts.undocumented_other += 1,
        }
    }

    /// Counts one request the portal did not answer.
    pub fn unreached(&self, message: &str) {
        let mut counts = crate::proxy::lock(&self.counts);
        counts.unreached += 1;
        counts
            .unreached_message
            .get_or_insert_with(|| message.to_string());
    }

    /// The report so far: every documented endpoint of `mock` in catalog
    /// order (those never exercised skipped), then the undocumented routes.
    pub fn report(&self, mock: &Mock, target: &str) -> Report {
        let counts = crate::proxy::lock(&self.counts);
        let catalog = mock.catalog();
        let mut checks = Vec::new();
        for (index, endpoint) in catalog.endpoints.iter().enumerate() {
            // Built-in endpoints are docmock's own, not the portal's.
            let Some(route) = mock.router().routes().iter().find(|r| r.endpoint == index) else {
                continue;
            };
            if endpoint.is_built_in() {
                continue;
            }
            let mut check = Check {
                endpoint: endpoint.id.clone(),
                method: endpoint.method.to_string(),
                url: format!("{target}{}", route.template),
                form: Format::Json,
                default_probe: false,
                outcome: Outcome::Skipped,
                status: None,
                findings: Vec::new(),
                millis: 0,
                exchanges: Some(0),
            };
            if let Some(tally) = counts.endpoints.get(&index) {
                check.exchanges = Some(tally.exchanges);
                check.status = tally.last_status;
                check.form = tally.form.unwrap_or(Format::Json);
                check.findings = tally
                    .findings
                    .iter()
                    .map(|seen| {
                        let mut finding = seen.finding.clone();
                        if seen.times > 1 {
                            finding.message = format!(
                                "{} ({} of {} exchanges)",
                                finding.message, seen.times, tally.exchanges
                            );
                        }
                        finding
                    })
                    .collect();
                if tally.dropped > 0 {
                    check.findings.push(Finding {
                        class: Class::NotCompared,
                        pointer: String::new(),
                        message: format!(
                            "{} more findings at other places are not listed (at most {FINDINGS_PER_ENDPOINT} per endpoint)",
                            tally.dropped
                        ),
                    });
                }
                check.findings.sort_by_key(|f| !f.class.is_failure());
                check.outcome = if check.findings.iter().any(|f| f.class.is_failure()) {
                    Outcome::Failed
                } else {
                    Outcome::Passed
                };
            }
            checks.push(check);
        }
        let mut undocumented: Vec<(&String, &u64)> = counts.undocumented.iter().collect();
        undocumented.sort();
        for (route, times) in undocumented {
            let (method, path) = route.split_once(' ').unwrap_or(("", route));
            checks.push(Check {
                endpoint: format!("undocumented {path}"),
                method: method.to_string(),
                url: format!("{target}{path}"),
                form: Format::Json,
                default_probe: false,
                outcome: Outcome::Passed,
                status: None,
                findings: vec![Finding {
                    class: Class::UndocumentedPath,
                    pointer: String::new(),
                    message: format!("no page documents {method} {path}; forwarded as it is"),
                }],
                millis: 0,
                exchanges: Some(*times),
            });
        }
        if counts.undocumented_other > 0 {
            checks.push(Check {
                endpoint: "undocumented (others)".into(),
                method: "*".into(),
                url: target.to_string(),
                form: Format::Json,
                default_probe: false,
                outcome: Outcome::Passed,
                status: None,
                findings: vec![Finding {
                    class: Class::UndocumentedPath,
                    pointer: String::new(),
                    message: format!(
                        "more undocumented routes than the {UNDOCUMENTED_ROUTES} told apart"
                    ),
                }],
                millis: 0,
                exchanges: Some(counts.undocumented_other),
            });
        }
        if counts.unreached > 0 {
            checks.push(Check {
                endpoint: "portal unreached".into(),
                method: "*".into(),
                url: target.to_string(),
                form: Format::Json,
                default_probe: false,
                outcome: Outcome::Error,
                status: Some(502),
                findings: vec![Finding {
                    class: Class::ConnectionError,
                    pointer: String::new(),
                    message: counts.unreached_message.clone().unwrap_or_default(),
                }],
                millis: 0,
                exchanges: Some(counts.unreached),
            });
        }
        Report {
            base_url: target.to_string(),
            checks,
        }
    }
}

/// The exit code for `report` under `fail_on`: 0 when it passes, 1 when
/// it fails, 2 when the portal could not be reached at all for some
/// request (as `verify` exits).
pub fn exit_code(report: &Report, fail_on: FailOn) -> u8 {
    let failing = |finding: &Finding| match fail_on {
        FailOn::Drift => finding.class.is_failure() && finding.class != Class::ConnectionError,
        FailOn::Contract => finding.class == Class::RequestContract,
        FailOn::Never => false,
    };
    if fail_on == FailOn::Never {
        return 0;
    }
    if report.count(Outcome::Error) > 0 {
        return 2;
    }
    let failed = report.checks.iter().flat_map(|c| &c.findings).any(failing);
    u8::from(failed)
}
