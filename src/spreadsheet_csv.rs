//! CSV for the downloads a seller opens in a spreadsheet (the code inventory, the parity
//! map and table): RFC 4180 quoting, CRLF line ends, and the neutralisation of cells a
//! spreadsheet would run as a formula (our own rule); and the reader for the parity table
//! the seller edits and imports. Both are the `csv` crate, set up once here.

/// A CSV document being written to memory: the `csv` crate's writer with RFC 4180 quoting
/// (a field is quoted when it holds a comma, quote, CR or LF; quotes inside doubled), CRLF
/// line ends, and records that may differ in length.
pub(crate) struct CsvWriter {
    writer: csv::Writer<Vec<u8>>,
}

impl CsvWriter {
    pub(crate) fn new() -> Self {
        Self {
            writer: csv::WriterBuilder::new()
                .quote_style(csv::QuoteStyle::Necessary)
                .terminator(csv::Terminator::CRLF)
                .flexible(true)
                .from_writer(Vec::new()),
        }
    }

    /// Appends one record, cells as given. A record of one empty field (or none) is written
    /// `""`, so it is not read as a blank line.
    pub(crate) fn record<I, T>(&mut self, cells: I)
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        // Writing to a `Vec` cannot fail, and `flexible` accepts records of any length.
        let _ = self.writer.write_record(cells);
    }

    /// The document written so far.
    pub(crate) fn finish(self) -> String {
        // Only whole UTF-8 cells and ASCII punctuation were written.
        let bytes = self.writer.into_inner().unwrap_or_default();
        String::from_utf8(bytes).unwrap_or_default()
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

/// Every record of `text` as the `csv` crate's reader reads it with no header row and
/// `flexible`: RFC 4180 quoting, `""` inside quotes, CR, LF or CRLF line ends, blank lines
/// skipped, a leading UTF-8 byte order mark dropped, records of any length. Lenient: a
/// stray or unclosed quote is read as text, never an error.
pub(crate) fn records(text: &str) -> Vec<CsvRecord> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        let start = reader.position().byte() as usize;
        // Reading from a `&[u8]` cannot fail, and `flexible` accepts any record length.
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) | Err(_) => return records,
        }
        // Fields are the text's own bytes between ASCII delimiters and quotes.
        let fields = record
            .iter()
            .map(|field| String::from_utf8_lossy(field).into_owned())
            .collect();
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

#[cfg(test)]
mod tests;

// proptest is a native dev-dependency only.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod prop_tests;
