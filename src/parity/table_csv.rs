//! The editable table as CSV, so a seller can edit it in a spreadsheet: [`export_csv`]
//! writes every row, [`import_csv`] reads the seller's percents back as new [`Overrides`].
//! An import is all or nothing: any problem → every problem by line, and no overrides.

use std::fmt;

use serde::Serialize;

use super::find_country;
use super::overrides::{Override, Overrides, Row};
use crate::error::{clip, Error};
use crate::spreadsheet_csv::{records, CsvWriter};

/// The header [`export_csv`] writes. Import needs only `country_code` and `your_percent`.
pub const CSV_HEADER: [&str; 5] = [
    "country_code",
    "country",
    "price_level_ratio",
    "suggested_percent",
    "your_percent",
];

/// One reason an import was refused. JSON `{"line": 4, "message": "unknown country code
/// 'XX'"}`; displayed as `line 4: unknown country code 'XX'`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportProblem {
    /// 1-based line of the file where the record starts (the header is line 1).
    pub line: u64,
    pub message: String,
}

impl fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            // The count of problems left out, which belongs to no one line.
            return f.write_str(&self.message);
        }
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// The largest file an import reads. The whole table as [`export_csv`] writes it is about
/// 10 KB; a file far past that is not a parity table, and reading one (48 MB took 43 s and
/// 1.9 GB of wasm memory) would stall the worker.
pub const MAX_IMPORT_BYTES: usize = 256 * 1024;

/// The problems an import lists before it only counts the lines left.
pub const MAX_PROBLEMS: usize = 20;

/// Problems by line, the first [`MAX_PROBLEMS`] in full, then a count of the other lines.
#[derive(Default)]
struct Problems {
    shown: Vec<ImportProblem>,
    more_lines: u64,
    last_line: u64,
}

impl Problems {
    fn push(&mut self, problem: ImportProblem) {
        if self.shown.len() < MAX_PROBLEMS {
            self.last_line = problem.line;
            self.shown.push(problem);
        } else if problem.line != self.last_line {
            self.last_line = problem.line;
            self.more_lines += 1;
        }
    }

    fn finish(mut self) -> Vec<ImportProblem> {
        if self.more_lines > 0 {
            self.shown.push(ImportProblem::new(
                0,
                format!(
                    "and {} more {} with problems",
                    self.more_lines,
                    if self.more_lines == 1 {
                        "line"
                    } else {
                        "lines"
                    }
                ),
            ));
        }
        self.shown
    }
}

impl ImportProblem {
    fn new(line: u64, message: impl Into<String>) -> Self {
        ImportProblem {
            line,
            message: message.into(),
        }
    }

    /// One `InvalidInput` error for a refused import: what happened and the first problems
    /// (the message is capped; show the full list from the problems themselves).
    pub fn as_error(problems: &[ImportProblem]) -> Error {
        let shown: Vec<String> = problems.iter().take(3).map(ToString::to_string).collect();
        let more = problems.len().saturating_sub(shown.len());
        Error::invalid_input(format!(
            "Nothing was imported: {}{}.",
            shown.join("; "),
            if more > 0 {
                format!("; and {more} more")
            } else {
                String::new()
            }
        ))
    }
}

/// The table as CSV (CRLF line ends, RFC 4180 quoting), with the [`CSV_HEADER`] row.
/// `your_percent` is the seller's choice: a number, empty for the suggestion, or
/// `excluded`; `suggested_percent` is empty where the formula gives no code.
pub fn export_csv(rows: &[Row]) -> String {
    let mut writer = CsvWriter::new();
    writer.record(CSV_HEADER);
    for row in rows {
        let yours = match row.override_ {
            Override::Default => String::new(),
            Override::Percent(0) | Override::Excluded => "excluded".to_owned(),
            Override::Percent(percent) => percent.to_string(),
        };
        writer.record([
            row.code.as_str(),
            row.name.as_str(),
            &row.ratio.to_string(),
            &row.suggested.map_or(String::new(), |p| p.to_string()),
            &yours,
        ]);
    }
    writer.finish()
}

/// The seller's edits from a CSV like [`export_csv`] writes: the header is required and
/// names the columns (any order, any case, other columns ignored); per record only
/// `country_code` (any case) and `your_percent` count — a whole percent 0–100 (`40`,
/// `40%`, `40.0`; 0 = excluded), `excluded`, or empty/`default` for the suggestion.
/// Countries absent from the file use the suggestion. A UTF-8 byte order mark, CRLF line
/// ends, quoted fields and blank lines are fine.
///
/// Returns the complete new overrides, or every problem found, by line; on a problem
/// the caller keeps the overrides it had.
pub fn import_csv(text: &str) -> Result<Overrides, Vec<ImportProblem>> {
    check_import_size(text.len() as u64).map_err(|problem| vec![problem])?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    // Reading CSV text cannot fail: stray quotes are read as text.
    let mut records = records(text).into_iter();
    let header = match records.next() {
        Some(header) if !header.fields.iter().all(|cell| cell.trim().is_empty()) => header.fields,
        _ => {
            return Err(vec![ImportProblem::new(
                1,
                "the file is empty; expected a header with country_code and your_percent",
            )])
        }
    };
    let column = |name: &str| {
        header
            .iter()
            .position(|cell| cell.trim().to_ascii_lowercase().replace([' ', '-'], "_") == name)
    };
    let (Some(code_at), Some(percent_at)) = (column("country_code"), column("your_percent")) else {
        return Err(vec![ImportProblem::new(
            1,
            format!(
                "the header must name the columns country_code and your_percent (found: {})",
                clip(&header.join(","), 80)
            ),
        )]);
    };

    let mut overrides = Overrides::new();
    let mut problems = Problems::default();
    // country code → the line it was first on. A list rather than a `BTreeMap`: a table
    // has a few hundred countries, and the map's code would be its own copy in the wasm.
    let mut first_seen: Vec<(&'static str, u64)> = Vec::new();
    let mut lines = LineCounter::new(text);
    for record in records {
        let line = lines.line_at(record.start);
        let record = record.fields;
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        let code = record.get(code_at).map_or("", |cell| cell.trim());
        let country = find_country(code);
        if country.is_none() {
            problems.push(ImportProblem::new(
                line,
                if code.is_empty() {
                    "no country code".to_owned()
                } else {
                    format!("unknown country code '{}'", clip(code, 12))
                },
            ));
        }
        let choice = parse_choice(record.get(percent_at).map_or("", String::as_str))
            .map_err(|message| problems.push(ImportProblem::new(line, message)))
            .ok();
        let Some(country) = country else {
            continue;
        };
        match first_seen.iter().find(|(code, _)| *code == country.code) {
            Some((_, first)) => problems.push(ImportProblem::new(
                line,
                format!("{} is already on line {first}", country.code),
            )),
            None => {
                first_seen.push((country.code, line));
                if let Some(choice) = choice {
                    overrides.insert(country.code, choice);
                }
            }
        }
    }
    if problems.shown.is_empty() {
        Ok(overrides)
    } else {
        Err(problems.finish())
    }
}

/// Whether a file of `bytes` may be read as a parity table: over [`MAX_IMPORT_BYTES`] it
/// is refused, before reading.
pub fn check_import_size(bytes: u64) -> Result<(), ImportProblem> {
    if bytes <= MAX_IMPORT_BYTES as u64 {
        return Ok(());
    }
    Err(ImportProblem::new(
        1,
        format!(
            "the file is {} KB; a parity table is about 10 KB, and Bulkroad reads files up to {} KB",
            bytes.div_ceil(1024),
            MAX_IMPORT_BYTES / 1024
        ),
    ))
}

/// A `your_percent` cell, or the problem with it (without the line).
fn parse_choice(cell: &str) -> Result<Override, String> {
    let text = cell.trim();
    let lower = text.to_ascii_lowercase();
    if lower.is_empty() || lower == "default" {
        return Ok(Override::Default);
    }
    if lower == "excluded" {
        return Ok(Override::Excluded);
    }
    let shown = clip(text, 30);
    let number = text.strip_suffix('%').unwrap_or(text).trim_end();
    let (negative, digits) = match number.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, number),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let is_number = !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit());
    if !is_number {
        return Err(format!("'{shown}' is not a percent or 'excluded'"));
    }
    if fraction.bytes().any(|b| b != b'0') {
        return Err(format!("{shown} is not a whole percent"));
    }
    let value: u64 = whole.parse().unwrap_or(u64::MAX);
    if negative && value > 0 {
        return Err(format!("{shown} is below 0 %"));
    }
    match value {
        0 => Ok(Override::Excluded),
        1..=100 => Ok(Override::Percent(value as u8)),
        _ => Err(format!("{shown} is over 100 %")),
    }
}

/// Line numbers from byte offsets. csv-core ends a record at the CR of a CRLF and reads
/// the LF with the next one, so records are placed by the byte where reading them began,
/// skipping the line breaks that start may point at.
struct LineCounter<'a> {
    text: &'a [u8],
    at: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            text: text.as_bytes(),
            at: 0,
            line: 1,
        }
    }

    /// The 1-based line of the record starting at `byte`; offsets only move forward.
    fn line_at(&mut self, byte: usize) -> u64 {
        let mut start = byte.min(self.text.len());
        while start < self.text.len() && matches!(self.text[start], b'\r' | b'\n') {
            start += 1;
        }
        if start > self.at {
            let newlines = self.text[self.at..start]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            self.line += newlines as u64;
            self.at = start;
        }
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parity::{build_table, Settings};

    fn overrides(pairs: &[(&str, Override)]) -> Overrides {
        let mut overrides = Overrides::new();
        for (code, choice) in pairs {
            overrides.set(code, *choice).unwrap();
        }
        overrides
    }

    fn messages(result: Result<Overrides, Vec<ImportProblem>>) -> Vec<String> {
        result
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn export_writes_every_row_with_the_sellers_choice() {
        let edits = overrides(&[("IN", Override::Percent(40)), ("CN", Override::Excluded)]);
        let csv = export_csv(&build_table(&Settings::default(), &edits));
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(
            lines[0],
            "country_code,country,price_level_ratio,suggested_percent,your_percent"
        );
        assert_eq!(
            lines.len(),
            super::super::COUNTRIES.len() + 2,
            "rows + header + final CRLF"
        );
        assert!(lines.contains(&"IN,India,0.2415,60,40"));
        assert!(lines
            .iter()
            .any(|l| l.starts_with("CN,China,0.") && l.ends_with(",excluded")));
        assert!(lines.contains(&"US,United States,1,,"));
        assert!(
            lines.iter().any(|l| l.starts_with("KR,\"Korea, Rep.\",0.")),
            "quoted"
        );
    }

    #[test]
    fn export_then_import_gives_the_same_overrides() {
        let cases = [
            (Settings::default(), Overrides::new()),
            (
                Settings::default(),
                overrides(&[
                    ("IN", Override::Percent(40)),
                    ("CN", Override::Excluded),
                    ("US", Override::Percent(5)),
                    ("NG", Override::Percent(100)),
                    ("BR", Override::Percent(0)),
                ]),
            ),
            (
                Settings {
                    threshold: 1.0,
                    cap_percent: 80,
                    floor_percent: 10,
                    step_percent: 1,
                },
                overrides(&[("XK", Override::Percent(33)), ("DE", Override::Excluded)]),
            ),
        ];
        for (settings, edits) in cases {
            let csv = export_csv(&build_table(&settings, &edits));
            assert_eq!(import_csv(&csv), Ok(edits.clone()), "{edits:?}");
            // and again from the imported edits: stable
            let again = export_csv(&build_table(&settings, &import_csv(&csv).unwrap()));
            assert_eq!(again, csv);
        }
    }

    #[test]
    fn imports_what_spreadsheets_write() {
        let expected = overrides(&[
            ("IN", Override::Percent(40)),
            ("CN", Override::Excluded),
            ("BR", Override::Percent(25)),
        ]);
        // (what, file)
        let rows: &[(&str, &str)] = &[
            ("minimal", "country_code,your_percent\nIN,40\nCN,excluded\nBR,25\n"),
            (
                "BOM and CRLF",
                "\u{FEFF}country_code,your_percent\r\nIN,40\r\nCN,excluded\r\nBR,25\r\n",
            ),
            (
                "quoted fields, a comma and a line break inside quotes",
                "country_code,country,your_percent\r\n\"IN\",\"India, Republic of\",\"40\"\r\n\"CN\",\"China\r\n(mainland)\",\"excluded\"\r\nBR,Brazil,25",
            ),
            (
                "any case, other order, extra columns, blanks, no final newline",
                "Your_Percent , note, Country Code\n40%, x ,in\n\nEXCLUDED,,cn\n,,\n25.0,,Br",
            ),
            (
                "defaults and rows left out",
                "country_code,your_percent\nIN,40\nCN,0\nBR,25\nUS,\nDE,default\n",
            ),
            ("short rows: a missing cell is the default", "country_code,your_percent\nIN,40\nCN,excluded\nBR,25\nMX\n"),
        ];
        for (what, file) in rows {
            assert_eq!(import_csv(file), Ok(expected.clone()), "{what}");
        }
        assert_eq!(
            import_csv("country_code,your_percent\r\n"),
            Ok(Overrides::new())
        );
    }

    #[test]
    fn bad_rows_are_all_reported_by_line() {
        // (file, problems)
        let rows: &[(&str, &[&str])] = &[
            (
                "country_code,your_percent\nIN,40\nCN,excluded\nXX,10\nBR,25\nMX,\nPK,150\nNG,30\nKE,ten\n",
                &[
                    "line 4: unknown country code 'XX'",
                    "line 7: 150 is over 100 %",
                    "line 9: 'ten' is not a percent or 'excluded'",
                ],
            ),
            (
                "country_code,your_percent\r\n,40\r\nIN,12.5\r\nIN,-5\r\nCN,-0\r\nBR,1e2\r\nPK,101%\r\nZA,99999999999999999999999\r\n",
                &[
                    "line 2: no country code",
                    "line 3: 12.5 is not a whole percent",
                    "line 4: -5 is below 0 %",
                    "line 4: IN is already on line 3",
                    "line 6: '1e2' is not a percent or 'excluded'",
                    "line 7: 101% is over 100 %",
                    "line 8: 99999999999999999999999 is over 100 %",
                ],
            ),
            (
                "country_code,country,your_percent\n\"IN\",\"India,\nstill India\",40\nXX,\"two\nlines\",x\n",
                &[
                    "line 4: unknown country code 'XX'",
                    "line 4: 'x' is not a percent or 'excluded'",
                ],
            ),
            (
                "IN,India,0.2415,60,40\nCN,China,0.47,50,excluded\n",
                &["line 1: the header must name the columns country_code and your_percent (found: IN,India,0.2415,60,40)"],
            ),
            ("country_code,percent\nIN,40\n", &["line 1: the header must name the columns country_code and your_percent (found: country_code,percent)"]),
            ("", &["line 1: the file is empty; expected a header with country_code and your_percent"]),
            ("\u{FEFF}\r\n", &["line 1: the file is empty; expected a header with country_code and your_percent"]),
            (
                "\u{FEFF}country_code,your_percent\r\n\r\nIN,40\r\n\r\n\r\nXX,40\r\nCN,\"1\r\n0\"\r\nPK,x",
                &[
                    "line 6: unknown country code 'XX'",
                    "line 7: '1  0' is not a percent or 'excluded'", // control characters flattened
                    "line 9: 'x' is not a percent or 'excluded'",
                ],
            ),
            ("country_code,your_percent\nIND,40\nin dia,40\n", &["line 2: unknown country code 'IND'", "line 3: unknown country code 'in dia'"]),
        ];
        for (file, expected) in rows {
            assert_eq!(messages(import_csv(file)), *expected, "{file:?}");
        }
    }

    #[test]
    fn a_file_far_larger_than_a_table_is_refused_before_reading() {
        let table = export_csv(&build_table(&Settings::default(), &Overrides::new()));
        assert!(table.len() < MAX_IMPORT_BYTES / 4, "{}", table.len());
        let huge = format!("country_code,your_percent\n{}", "IN,40\n".repeat(60_000));
        assert!(check_import_size(MAX_IMPORT_BYTES as u64).is_ok());
        assert_eq!(
            check_import_size(48 << 20).unwrap_err().to_string(),
            "line 1: the file is 49152 KB; a parity table is about 10 KB, and Bulkroad reads files up to 256 KB"
        );
        assert_eq!(
            messages(import_csv(&huge)),
            ["line 1: the file is 352 KB; a parity table is about 10 KB, and Bulkroad reads files up to 256 KB"]
        );
    }

    #[test]
    fn problems_stop_at_twenty_and_count_the_rest() {
        let file = format!("country_code,your_percent\n{}", "XX,1\n".repeat(500));
        let problems = messages(import_csv(&file));
        assert_eq!(problems.len(), MAX_PROBLEMS + 1);
        assert_eq!(problems[19], "line 21: unknown country code 'XX'");
        assert_eq!(problems[20], "and 480 more lines with problems");
    }

    #[test]
    fn problems_become_one_error_and_json() {
        let problems =
            import_csv("country_code,your_percent\nXX,1\nYY,2\nZZ,3\nQQ,4\nWW,5\nVV,6\nUU,7\n")
                .unwrap_err();
        assert_eq!(problems.len(), 7);
        let error = ImportProblem::as_error(&problems);
        assert_eq!(error.kind(), crate::ErrorKind::InvalidInput);
        assert!(error
            .message()
            .starts_with("Nothing was imported: line 2: unknown country code 'XX'; line 3:"));
        assert!(
            error.message().ends_with("; and 4 more."),
            "{}",
            error.message()
        );
        assert_eq!(
            serde_json::to_value(&problems[0]).unwrap(),
            serde_json::json!({"line": 2, "message": "unknown country code 'XX'"})
        );
    }
}
