//! The `bulkroad-sandbox` binary: one JSON line on stdout, serving, clean exit on SIGTERM.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use bulkroad_sandbox::tokens;

#[test]
fn binary_prints_one_json_line_serves_and_exits_cleanly_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bulkroad-sandbox"))
        .args(["--products", "12", "--seed", "3", "--no-throttle"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let started: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    let url = started["url"].as_str().unwrap().to_string();
    assert!(url.starts_with("http://127.0.0.1:"));
    assert_eq!(started["tokens"], tokens::as_json());

    let client = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .unwrap();
    let user = client
        .get(format!("{url}/v2/user"))
        .bearer_auth(tokens::FULL)
        .send()
        .unwrap();
    assert_eq!(user.status().as_u16(), 200);
    let state: serde_json::Value = client
        .get(format!("{url}/__sandbox/state"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(state["products"].as_array().unwrap().len(), 12);

    #[cfg(unix)]
    {
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let exit = child.wait().unwrap();
        assert!(exit.success(), "{exit:?}");
    }
    #[cfg(not(unix))]
    {
        child.kill().unwrap();
        child.wait().unwrap();
    }
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "", "exactly one line on stdout");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    for t in [
        tokens::FULL,
        tokens::READ_ONLY,
        tokens::ACCOUNT,
        tokens::NO_READ_SCOPE,
        tokens::REVOKED,
    ] {
        assert!(!stderr.contains(t), "stderr leaks a token");
    }
}

#[test]
fn binary_rejects_unknown_flags() {
    let out = Command::new(env!("CARGO_BIN_EXE_bulkroad-sandbox"))
        .arg("--bogus")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}
