//! CSV for the downloads a seller opens in a spreadsheet (the code inventory, the parity
//! map and table): RFC 4180 quoting, CRLF line ends, and the neutralisation of cells a
//! spreadsheet would run as a formula; and the reader for the parity table the seller
//! edits and imports.

use csv_core::ReadRecordResult;

/// A CSV document being written to memory.
///
/// Written by hand rather than with a CSV library's writer: the rules are few (below),
/// `tests.rs` checks every short cell against the `csv` crate's writer, and csv-core's
/// writer decides quoting through a setting read at run time, which keeps its
/// number-detecting quote style — and with it `f64` parsing and its power-of-five table
/// (≈ 22 KB, ≈ 16 KB gzipped, with forms.rs reading percents without it) — in the module.
pub(crate) struct CsvWriter {
    out: Vec<u8>,
    /// Where the current record begins in `out`.
    record_start: usize,
}

impl CsvWriter {
    /// RFC 4180: comma-separated, CRLF line ends, fields quoted when they hold a comma,
    /// quote, CR or LF (quotes inside doubled). Records may differ in length.
    pub(crate) fn new() -> Self {
        Self {
            out: Vec::new(),
            record_start: 0,
        }
    }

    /// Appends one record, cells as given.
    pub(crate) fn record<I, T>(&mut self, cells: I)
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        for (at, cell) in cells.into_iter().enumerate() {
            if at > 0 {
                self.out.push(b',');
            }
            self.field(cell.as_ref());
        }
        // A record of one empty field (or none) is `""`, so it is not read as a blank line.
        if self.out.len() == self.record_start {
            self.out.extend_from_slice(b"\"\"");
        }
        self.out.extend_from_slice(b"\r\n");
        self.record_start = self.out.len();
    }

    fn field(&mut self, cell: &[u8]) {
        if !cell
            .iter()
            .any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
        {
            self.out.extend_from_slice(cell);
            return;
        }
        self.out.push(b'"');
        for &byte in cell {
            if byte == b'"' {
                self.out.push(b'"');
            }
            self.out.push(byte);
        }
        self.out.push(b'"');
    }

    /// The document written so far.
    pub(crate) fn finish(self) -> String {
        // Only whole UTF-8 cells and ASCII punctuation were written.
        String::from_utf8(self.out).unwrap_or_default()
    }
}

/// One record read by [`records`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CsvRecord {
    /// Byte offset in the text where reading the record began (it may point at the line
    /// break before it, or at blank lines skipped on the way).
    pub(crate) start: usize,
    pub(crate) fields: Vec<String>,
}

/// Every record of `text` as csv-core reads CSV (what the `csv` crate's reader does with
/// its defaults and `flexible`): RFC 4180 quoting, `""` inside quotes, CR, LF or CRLF
/// line ends, blank lines skipped, a leading UTF-8 byte order mark dropped, records of
/// any length. Lenient like it: a stray or unclosed quote is read as text, never an error.
pub(crate) fn records(text: &str) -> Vec<CsvRecord> {
    let input = text.as_bytes();
    let mut reader = csv_core::Reader::new();
    let mut records = Vec::new();
    // Unquoting never makes text longer, so one buffer of the input's size holds a record.
    let mut out = vec![0u8; input.len()];
    let mut ends = vec![0usize; 16];
    let mut at = 0;
    loop {
        let start = at;
        let (mut out_len, mut ends_len) = (0, 0);
        loop {
            let (result, read, written, ended) =
                reader.read_record(&input[at..], &mut out[out_len..], &mut ends[ends_len..]);
            at += read;
            out_len += written;
            ends_len += ended;
            match result {
                // All the text was given; the next call (with none left) ends the record.
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => out.resize(out.len() * 2 + 1, 0),
                ReadRecordResult::OutputEndsFull => ends.resize(ends.len() * 2, 0),
                ReadRecordResult::Record => break,
                ReadRecordResult::End => return records,
            }
        }
        let mut fields = Vec::with_capacity(ends_len);
        let mut from = 0;
        for &end in &ends[..ends_len] {
            // Fields are the text's own bytes between ASCII delimiters and quotes.
            fields.push(String::from_utf8_lossy(&out[from..end]).into_owned());
            from = end;
        }
        records.push(CsvRecord { start, fields });
    }
}

/// `cell`, with a `'` in front when a spreadsheet would treat it as a formula (it starts
/// with `=`, `+`, `-`, `@`, tab or CR).
pub(crate) fn neutralised(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

// The csv crate is a native dev-dependency only.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

// proptest is a native dev-dependency only.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod prop_tests;
