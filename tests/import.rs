//! `docmock import`: the seed pages reproduce the committed spec directory
//! byte for byte, pages of every layout variant import and serve their
//! documented examples, broken pages fail alone and leave nothing behind.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::run_in;

fn pages_in(dir: &Path) -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = fs::read_dir(dir)
        .expect("pages directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    pages.sort();
    pages
}

fn import(out: &Path, pages: &[PathBuf], extra: &[&str]) -> std::process::Output {
    let mut args: Vec<String> = vec!["import".into()];
    args.extend(pages.iter().map(|p| p.display().to_string()));
    args.push("--out".into());
    args.push(out.display().to_string());
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    run_in(&common::root(), &refs)
}

/// Every file below `dir`, relative to it, with its bytes.
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("entry"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let relative = e.path().strip_prefix(dir).expect("below").to_path_buf();
            (relative, fs::read(e.path()).expect("readable"))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn reimporting_the_seed_pages_reproduces_the_committed_specs_and_fixtures() {
    let out = tempfile::tempdir().expect("tempdir");
    let seeds = pages_in(&common::root().join("tests/seeds"));
    assert_eq!(seeds.len(), 5);
    let output = import(out.path(), &seeds, &[]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("5 imported, 0 unchanged, 0 failed"));
    for part in ["specs", "fixtures"] {
        let imported = tree(&out.path().join(part));
        let committed = tree(&common::root().join(part));
        let names = |t: &[(PathBuf, Vec<u8>)]| t.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(&imported),
            names(&committed),
            "{part}: the same files"
        );
        for ((path, new), (_, old)) in imported.iter().zip(&committed) {
            assert!(
                new == old,
                "{part}/{} differs from the committed file",
                path.display()
            );
        }
    }
    // A second run changes nothing.
    let again = import(out.path(), &seeds, &[]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("0 imported, 5 unchanged, 0 failed"));
}

#[test]
fn a_dry_run_writes_nothing() {
    let out = tempfile::tempdir().expect("tempdir");
    let seeds = pages_in(&common::root().join("tests/seeds"));
    let output = import(out.path(), &seeds, &["--dry-run"]);
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("would write onlyoffice/put-crm-contact-contactid-status"),
        "{stdout}"
    );
    assert!(tree(out.path()).is_empty());
}
