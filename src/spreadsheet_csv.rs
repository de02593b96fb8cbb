//! CSV for the downloads a seller opens in a spreadsheet (the code inventory, the parity
//! map and table): RFC 4180 quoting, CRLF line ends, and the neutralisation of cells a
//! spreadsheet would run as a formula.

/// A CSV document being written to memory.
pub(crate) struct CsvWriter(csv::Writer<Vec<u8>>);

impl CsvWriter {
    /// RFC 4180: comma-separated, CRLF line ends, fields quoted when they hold a comma,
    /// quote or line break.
    pub(crate) fn new() -> Self {
        Self(
            csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(Vec::new()),
        )
    }

    /// Appends one record, cells as given.
    pub(crate) fn record<I, T>(&mut self, cells: I)
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        // Writing to a Vec cannot fail.
        let _ = self.0.write_record(cells);
    }

    /// The document written so far.
    pub(crate) fn finish(self) -> String {
        let bytes = self.0.into_inner().unwrap_or_default();
        String::from_utf8(bytes).unwrap_or_default()
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
