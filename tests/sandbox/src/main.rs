//! `bulkroad-sandbox`: the sandbox as a process, for browser tests and the demo.
//!
//! Prints exactly one JSON line on stdout (`{"url":…,"tokens":{…},"stores":[…]}`, plus
//! `tls_url` with `--tls`) once it is listening, then serves until SIGTERM or SIGINT.
//! `tokens` is store 0's tokens by name (as before there were several stores), `stores`
//! every store served with its seller and tokens. Anything for humans goes to stderr,
//! and never a token.

use std::io::Write;
use std::process::ExitCode;

use bulkroad_sandbox::timeline;
use bulkroad_sandbox::tokens::MAX_STORES;
use bulkroad_sandbox::{Config, DropPhase, Faults, Sandbox};

const USAGE: &str = "usage: bulkroad-sandbox [--port N] [--products N] [--sales N] [--sales-until YYYY-MM-DD|today] [--seed N] [--stores N] [--latency-ms N] \
[--rate-429 F] [--rate-5xx F] [--rate-drop F] [--drop-phase before|after|either] [--fault-seed N] [--no-throttle] [--tls]";

fn value<T: std::str::FromStr>(flag: &str, raw: Option<String>) -> Result<T, String> {
    let raw = raw.ok_or_else(|| format!("{flag} needs a value"))?;
    raw.parse()
        .map_err(|_| format!("{flag}: cannot parse {raw:?}"))
}

fn rate(flag: &str, raw: Option<String>) -> Result<f64, String> {
    let r: f64 = value(flag, raw)?;
    if (0.0..=1.0).contains(&r) {
        Ok(r)
    } else {
        Err(format!("{flag} must be between 0 and 1"))
    }
}

/// The command line as a [`Config`]; `today` is the day `--sales-until today` names and
/// the last one it accepts (days since 1970-01-01, UTC).
fn parse_args(mut args: impl Iterator<Item = String>, today: i64) -> Result<Config, String> {
    let mut config = Config::default();
    let mut faults = Faults::default();
    while let Some(arg) = args.next() {
        // Accept both `--flag value` and `--flag=value`.
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f.to_string(), Some(v.to_string())),
            None => (arg.clone(), None),
        };
        let mut next = || inline.clone().or_else(|| args.next());
        match flag.as_str() {
            "--port" => config.port = value(&flag, next())?,
            "--products" => config.products = value(&flag, next())?,
            "--sales" => {
                config.sales = value(&flag, next())?;
                if config.sales > bulkroad_sandbox::inspect::MAX_SALES {
                    return Err(format!(
                        "--sales must be at most {}",
                        bulkroad_sandbox::inspect::MAX_SALES
                    ));
                }
            }
            "--sales-until" => {
                let raw = next().ok_or("--sales-until needs a value (YYYY-MM-DD or today)")?;
                config.sales_until = Some(timeline::parse_last_day(&raw, today)?);
            }
            "--seed" => config.seed = value(&flag, next())?,
            "--stores" => {
                config.stores = value(&flag, next())?;
                if !(1..=MAX_STORES).contains(&config.stores) {
                    return Err(format!("--stores must be between 1 and {MAX_STORES}"));
                }
            }
            "--latency-ms" => faults.latency_ms = value(&flag, next())?,
            "--rate-429" => faults.rate_429 = rate(&flag, next())?,
            "--rate-5xx" => faults.rate_5xx = rate(&flag, next())?,
            "--rate-drop" => faults.rate_drop = rate(&flag, next())?,
            "--fault-seed" => faults.seed = value(&flag, next())?,
            "--drop-phase" => {
                faults.drop_phase = match next().as_deref() {
                    Some("before") => DropPhase::Before,
                    Some("after") => DropPhase::After,
                    Some("either") => DropPhase::Either,
                    other => {
                        return Err(format!(
                            "--drop-phase: expected before|after|either, got {other:?}"
                        ))
                    }
                }
            }
            "--no-throttle" => config.throttle = false,
            "--tls" => config.tls = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    config.faults = faults;
    Ok(config)
}

#[cfg(unix)]
async fn until_stopped() {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        std::future::pending::<()>().await;
        return;
    };
    tokio::select! {
        _ = term.recv() => {},
        _ = int.recv() => {},
    }
}

#[cfg(not(unix))]
async fn until_stopped() {
    let _ = tokio::signal::ctrl_c().await;
}

fn main() -> ExitCode {
    let config = match parse_args(std::env::args().skip(1), timeline::today().0) {
        Ok(c) => c,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("bulkroad-sandbox: {msg}");
            }
            eprintln!("{USAGE}");
            return if msg.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            };
        }
    };
    let (products, sales, seed, stores) =
        (config.products, config.sales, config.seed, config.stores);
    let until = config.sales_until.map_or_else(String::new, |day| {
        format!(", to {}", timeline::day_text(day))
    });
    let sandbox = match Sandbox::start(config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("bulkroad-sandbox: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    // `tokens` keeps its one-store shape; the stores sit beside it.
    let mut tokens = sandbox.tokens();
    let listed = tokens
        .as_object_mut()
        .and_then(|t| t.remove("stores"))
        .unwrap_or_default();
    let mut line = serde_json::json!({"url": sandbox.url(), "tokens": tokens, "stores": listed});
    if let Some(tls_url) = sandbox.tls_url() {
        line["tls_url"] = tls_url.into();
    }
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{line}").and_then(|_| out.flush()).is_err() {
        return ExitCode::FAILURE;
    }
    drop(out);
    eprintln!(
        "bulkroad-sandbox: serving {stores} store(s) of {products} products and {sales} sales (seed {seed}{until}) at {}",
        sandbox.url()
    );

    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("bulkroad-sandbox: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(until_stopped());
    drop(sandbox);
    eprintln!("bulkroad-sandbox: stopped");
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> impl Iterator<Item = String> + '_ {
        s.split_whitespace().map(str::to_string)
    }

    /// 2026-12-04, the day the tests take for today.
    const TODAY: i64 = 20_791;

    fn parse(s: &str) -> Result<Config, String> {
        parse_args(args(s), TODAY)
    }

    #[test]
    fn parses_every_flag() {
        let c = parse(
            "--port 8123 --products=40 --sales 5000 --seed 7 --latency-ms 5 --rate-429 0.5 --rate-5xx 0.25 --rate-drop 1 --drop-phase after --fault-seed 3 --no-throttle",
        )
        .unwrap();
        assert_eq!(
            (c.port, c.products, c.seed, c.throttle),
            (8123, 40, 7, false)
        );
        assert_eq!(c.sales, 5000);
        assert_eq!(parse("").unwrap().sales, 0);
        assert_eq!(parse("").unwrap().stores, 1);
        assert_eq!(parse("--stores 2").unwrap().stores, 2);
        assert_eq!(c.faults.latency_ms, 5);
        assert_eq!(
            (c.faults.rate_429, c.faults.rate_5xx, c.faults.rate_drop),
            (0.5, 0.25, 1.0)
        );
        assert_eq!((c.faults.drop_phase, c.faults.seed), (DropPhase::After, 3));
    }

    #[test]
    fn rejects_bad_input() {
        for bad in [
            "--port",
            "--products x",
            "--sales -1",
            "--sales 999999999",
            "--rate-429 2",
            "--drop-phase sometimes",
            "--stores 0",
            "--stores 5",
            "--sales-until",
            "--sales-until 2026-12-05",
            "--wat",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn sales_until_names_a_past_day_or_today() {
        assert_eq!(parse("").unwrap().sales_until, None, "the fixed calendar");
        assert_eq!(
            parse("--sales-until today").unwrap().sales_until,
            Some(TODAY)
        );
        assert_eq!(
            parse("--sales-until=2026-12-04").unwrap().sales_until,
            Some(TODAY)
        );
        assert_eq!(
            parse("--sales-until 2025-09-30").unwrap().sales_until,
            Some(TODAY - 430)
        );
        for (bad, says) in [
            ("--sales-until", "needs a value (YYYY-MM-DD or today)"),
            (
                "--sales-until tomorrow",
                "expected a day as YYYY-MM-DD, or today",
            ),
            ("--sales-until 2026-2-01", "expected a day as YYYY-MM-DD"),
            ("--sales-until 2026-02-30", "expected a day as YYYY-MM-DD"),
            (
                "--sales-until 2026-12-05",
                "2026-12-05 is after today (UTC)",
            ),
            ("--sales-until 1971-06-01", "too early"),
        ] {
            let err = parse(bad).unwrap_err();
            assert!(err.starts_with("--sales-until"), "{bad}: {err}");
            assert!(err.contains(says), "{bad}: {err}");
        }
    }
}
