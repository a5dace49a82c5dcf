//! The `slingshot` binary end to end: migrate, demo, backup, admin, config errors, serve
//! and SIGTERM.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Output, Stdio};

fn slingshot(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_slingshot"))
        .args(args)
        .current_dir(dir)
        .env_remove("SLINGSHOT_DATABASE_URL")
        .env_remove("SLINGSHOT_DATA_DIR")
        .env("SLINGSHOT_ADMIN_PASSWORD", "granite falcon harbor")
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn migrate_demo_backup_and_admin() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = slingshot(d, &["migrate"]);
    assert!(o.status.success(), "{}", text(&o));
    // Every migration the store ships, counted from its folder.
    let shipped = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../store/migrations"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "sql")
        })
        .count();
    assert!(shipped >= 7, "{shipped} migrations found");
    assert!(
        text(&o).contains(&format!("{shipped} migration(s) applied")),
        "{}",
        text(&o)
    );
    assert!(d.join("slingshot-data/slingshot.db").exists());
    let o = slingshot(d, &["migrate"]);
    assert!(text(&o).contains("0 migration(s) applied"));

    let o = slingshot(d, &["demo"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("Northwind Outfitters"));
    let o = slingshot(d, &["demo"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("already has accounts"));

    let o = slingshot(d, &["backup", "copy.db"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(d.join("copy.db").metadata().unwrap().len() > 0);
    let o = slingshot(d, &["backup", "copy.db"]);
    assert!(!o.status.success() && text(&o).contains("already exists"));
    // The copy is a working database.
    let o = slingshot(
        d,
        &[
            "admin",
            "create",
            "root",
            "--database-url",
            &format!("sqlite://{}/copy.db", d.display()),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("created instance administrator root"));
    let o = slingshot(d, &["admin", "create", "bob"]);
    assert!(text(&o).contains("bob is now an instance administrator"));
    let o = slingshot(d, &["admin", "create", "x"]);
    assert!(!o.status.success() && text(&o).contains("handle must be"));
}

#[test]
fn bad_configuration_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("slingshot.toml"),
        "listen = \"127.0.0.1:0\"\ndatabse_url = \"x\"\n",
    )
    .unwrap();
    let o = slingshot(dir.path(), &["migrate"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("databse_url"), "{}", text(&o));
    let o = slingshot(dir.path(), &["migrate", "--database-url", "mysql://x/y"]);
    assert!(!o.status.success());
    let o = slingshot(dir.path(), &["--config", "missing.toml", "migrate"]);
    assert!(text(&o).contains("does not exist"));
}

#[test]
fn serve_answers_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_slingshot"))
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"])
        .current_dir(dir.path())
        .env_remove("SLINGSHOT_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut addr = None;
    for _ in 0..10 {
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        if let Some(rest) = line.strip_prefix("Slingshot is ready at http://") {
            addr = Some(rest.split_whitespace().next().unwrap().to_owned());
            break;
        }
    }
    let addr = addr.expect("server printed its address");
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    s.write_all(b"GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    assert!(
        resp.starts_with("HTTP/1.1 200") && resp.contains("ready"),
        "{resp}"
    );
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "clean exit after SIGTERM: {status:?}");
}

#[test]
fn export_and_verify_name_the_failing_entry() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(slingshot(d, &["demo"]).status.success());
    // An unknown id fails cleanly.
    let o = slingshot(d, &["export", "no-such-id"]);
    assert!(
        !o.status.success() && text(&o).contains("not found"),
        "{}",
        text(&o)
    );
    let db = d.join("slingshot-data/slingshot.db");
    let id = Command::new("sqlite3").arg(&db).arg("SELECT id FROM relationships WHERE org_id IS NOT NULL AND vendor_name = 'Northwind Outfitters'").output();
    let id = String::from_utf8(
        id.expect("sqlite3 is needed (apt-get install sqlite3)")
            .stdout,
    )
    .unwrap()
    .trim()
    .to_owned();
    assert!(!id.is_empty());
    let o = slingshot(d, &["export", &id, "--out", "nw.jsonl"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(!d.join("nw.jsonl.partial").exists());
    // A device is written directly; a failed write is an error, not a finished file.
    let o = slingshot(d, &["export", &id, "--out", "/dev/full"]);
    assert!(
        !o.status.success() && text(&o).contains("No space left"),
        "{}",
        text(&o)
    );
    let o = slingshot(d, &["verify", "nw.jsonl"]);
    assert!(
        o.status.success() && text(&o).contains("OK: relationship"),
        "{}",
        text(&o)
    );
    // An operator's export is the shared history; the customer's copy adds their notes.
    assert!(!text(&o).contains("private notes"), "{}", text(&o));
    let args = ["export", &id, "--side", "customer", "--out", "own.jsonl"];
    assert!(slingshot(d, &args).status.success());
    let o = slingshot(d, &["verify", "own.jsonl"]);
    assert!(text(&o).contains("1 private notes"), "{}", text(&o));
    let o = slingshot(d, &["export", &id, "--side", "everyone"]);
    assert!(
        !o.status.success() && text(&o).contains("--side"),
        "{}",
        text(&o)
    );
    let good = std::fs::read_to_string(d.join("nw.jsonl")).unwrap();
    std::fs::write(d.join("bad.jsonl"), good.replace("189.00", "18.00")).unwrap();
    let o = slingshot(d, &["verify", "bad.jsonl"]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("entry 3: body was altered"),
        "{}",
        text(&o)
    );
    // Re-signed with another key: caught when the real keys are pinned.
    let header: serde_json::Value = serde_json::from_str(good.lines().next().unwrap()).unwrap();
    let keys: Vec<String> = header["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["public_key"].as_str().unwrap().to_owned())
        .collect();
    let mut args = vec!["verify", "nw.jsonl"];
    for k in &keys {
        args.push("--trust-key");
        args.push(k);
    }
    assert!(slingshot(d, &args).status.success());
    let o = slingshot(
        d,
        &[
            "verify",
            "nw.jsonl",
            "--trust-key",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ],
    );
    assert!(!o.status.success(), "{}", text(&o));
    // base64url keys may start with '-': still a value, not a flag.
    let o = slingshot(
        d,
        &[
            "verify",
            "nw.jsonl",
            "--trust-key",
            "-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ],
    );
    assert!(
        !o.status.success() && !text(&o).contains("unexpected argument"),
        "{}",
        text(&o)
    );
    // Into another instance, with its conversations; the altered bundle, a second copy
    // and an unknown person are refused.
    let other = tempfile::tempdir().unwrap();
    let o2 = other.path();
    assert!(slingshot(o2, &["demo"]).status.success());
    std::fs::copy(d.join("nw.jsonl"), o2.join("nw.jsonl")).unwrap();
    std::fs::copy(d.join("bad.jsonl"), o2.join("bad.jsonl")).unwrap();
    let o = slingshot(o2, &["import", "bad.jsonl", "--person", "dan"]);
    assert!(
        !o.status.success() && text(&o).contains("entry 3"),
        "{}",
        text(&o)
    );
    let o = slingshot(o2, &["import", "nw.jsonl", "--person", "nobody-here"]);
    assert!(!o.status.success(), "{}", text(&o));
    let o = slingshot(o2, &["import", "nw.jsonl", "--person", "dan"]);
    assert!(
        o.status.success() && text(&o).contains(&format!("imported relationship {id}")),
        "{}",
        text(&o)
    );
    assert!(text(&o).contains("3 conversations"), "{}", text(&o));
    let o = slingshot(o2, &["import", "nw.jsonl", "--person", "dan"]);
    assert!(
        !o.status.success() && text(&o).contains("already"),
        "{}",
        text(&o)
    );
    let db2 = o2.join("slingshot-data/slingshot.db");
    let subjects = Command::new("sqlite3")
        .arg(&db2)
        .arg(format!(
            "SELECT subject FROM threads WHERE relationship_id = '{id}' ORDER BY subject"
        ))
        .output()
        .unwrap();
    let subjects = String::from_utf8(subjects.stdout).unwrap();
    assert!(!subjects.contains("Imported conversation"), "{subjects}");
}
