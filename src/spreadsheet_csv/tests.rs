//! The writer and reader as set up here against the `csv` crate's plain settings: every
//! short text over the characters that matter to CSV reads the same, and every record of
//! short cells is written the same.

use super::{records, CsvRecord, CsvWriter};

/// What the `csv` crate reads from `text` (no header row, records of any length).
fn csv_crate_reads(text: &str) -> Vec<CsvRecord> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let start = reader.position().byte() as usize;
        if !reader
            .read_record(&mut record)
            .expect("str input always reads")
        {
            return out;
        }
        out.push(CsvRecord {
            start,
            fields: record.iter().map(str::to_owned).collect(),
        });
    }
}

/// Every string of up to `max_len` characters from `alphabet`.
fn every_text(alphabet: &[&str], max_len: usize) -> Vec<String> {
    let mut all = vec![String::new()];
    let mut last = vec![String::new()];
    for _ in 0..max_len {
        last = last
            .iter()
            .flat_map(|prefix| alphabet.iter().map(move |c| format!("{prefix}{c}")))
            .collect();
        all.extend(last.iter().cloned());
    }
    all
}

#[test]
fn reads_every_short_text_as_the_csv_crate_does() {
    let texts = every_text(&["a", ",", "\"", "\r", "\n", " ", "é"], 5);
    assert!(texts.len() > 19_000);
    for text in &texts {
        assert_eq!(records(text), csv_crate_reads(text), "{text:?}");
    }
}

#[test]
fn rfc_4180_cases() {
    let fields =
        |text: &str| -> Vec<Vec<String>> { records(text).into_iter().map(|r| r.fields).collect() };
    let rows: [(&str, &[&[&str]]); 12] = [
        ("", &[]),
        ("\r\n\r\n", &[]),
        ("a,b\r\nc,d", &[&["a", "b"], &["c", "d"]]),
        ("a,b\r\nc,d\r\n", &[&["a", "b"], &["c", "d"]]),
        ("\"a,b\",\"c\"\"d\"\r\n", &[&["a,b", "c\"d"]]),
        ("\"line\r\nbreak\",x\n", &[&["line\r\nbreak", "x"]]),
        ("a,,\r\n,\r\n", &[&["a", "", ""], &["", ""]]),
        ("a\rb\nc\r\n\r\nd", &[&["a"], &["b"], &["c"], &["d"]]),
        ("\u{feff}country_code\r\nIN", &[&["country_code"], &["IN"]]),
        ("\"\"\r\n", &[&[""]]),
        // Lenient like the csv crate: a stray quote is text, an unclosed one runs to the end.
        ("a\"b,c\r\n", &[&["a\"b", "c"]]),
        ("\"open,x\r\ny", &[&["open,x\r\ny"]]),
    ];
    for (text, expected) in rows {
        let expected: Vec<Vec<String>> = expected
            .iter()
            .map(|r| r.iter().map(|f| f.to_string()).collect())
            .collect();
        assert_eq!(fields(text), expected, "{text:?}");
    }
    // Where each record's reading began: after the previous record's CR, its LF is next.
    let starts: Vec<usize> = records("a\r\nb\n\nc").iter().map(|r| r.start).collect();
    assert_eq!(starts, [0, 2, 5]);
}

#[test]
fn a_long_record_and_many_fields_grow_the_buffers() {
    let cells: Vec<String> = (0..1000).map(|i| format!("\"{i}\"\"x\"")).collect();
    let text = cells.join(",") + "\r\nlast";
    let read = records(&text);
    assert_eq!(read.len(), 2);
    assert_eq!(read[0].fields.len(), 1000);
    assert_eq!(read[0].fields[999], "999\"x");
    assert_eq!(read[1].fields, ["last"]);
    assert_eq!(read, csv_crate_reads(&text));
}

/// What the `csv` crate writes for `rows` (CRLF, records of any length).
fn csv_crate_writes(rows: &[Vec<String>]) -> String {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .flexible(true)
        .from_writer(Vec::new());
    for row in rows {
        writer.write_record(row).unwrap();
    }
    String::from_utf8(writer.into_inner().unwrap()).unwrap()
}

fn written(rows: &[Vec<String>]) -> String {
    let mut writer = CsvWriter::new();
    for row in rows {
        writer.record(row);
    }
    writer.finish()
}

#[test]
fn writes_every_short_cell_as_the_csv_crate_does() {
    let cells = every_text(&["a", ",", "\"", "\r", "\n", " ", "é", "#"], 4);
    for cell in &cells {
        for rows in [
            vec![vec![cell.clone()]],
            vec![vec![cell.clone(), cell.clone()], vec![]],
            vec![vec!["x".to_owned(), cell.clone()], vec![cell.clone()]],
        ] {
            let text = written(&rows);
            assert_eq!(text, csv_crate_writes(&rows), "{rows:?}");
            // And it reads back as written (an empty record reads as one empty field).
            let back: Vec<Vec<String>> = records(&text).into_iter().map(|r| r.fields).collect();
            let expected: Vec<Vec<String>> = rows
                .iter()
                .map(|row| {
                    if row.is_empty() {
                        vec![String::new()]
                    } else {
                        row.clone()
                    }
                })
                .collect();
            assert_eq!(back, expected, "{rows:?}");
        }
    }
}

#[test]
fn a_formula_after_any_split_is_defused() {
    // (cell, neutralised): a spreadsheet that splits the cell on `,`, `;`, a tab or a line
    // break must not find a formula at the start of any piece.
    let rows = [
        ("x;=1+1;", "x;'=1+1;"),
        ("a,-2", "a,'-2"),
        ("a\t+3", "a\t'+3"),
        ("line\n@SUM(A1)", "line\n'@SUM(A1)"),
        ("line\r\n=1", "line\r\n'=1"),
        ("\t=1", "'\t'=1"),
        ("a;;=1", "a;;'=1"),
        ("=1;-2", "'=1;'-2"),
        ("a; =1", "a; =1"),
        ("a-b;c=d", "a-b;c=d"),
        ("=1", "'=1"),
        ("", ""),
    ];
    for (cell, out) in rows {
        assert_eq!(super::neutralised(cell), out, "{cell:?}");
    }
}

#[test]
fn every_cell_a_spreadsheet_might_split_is_quoted() {
    let mut writer = CsvWriter::new();
    writer.record(["x;=1+1;", "a\tb", "a,b", "a\"b", "a\nb", "plain"]);
    assert_eq!(
        writer.finish(),
        "\"x;=1+1;\",\"a\tb\",\"a,b\",\"a\"\"b\",\"a\nb\",plain\r\n"
    );
}
