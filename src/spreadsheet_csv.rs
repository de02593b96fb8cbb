//! CSV for the downloads a seller opens in a spreadsheet (the code inventory, the parity
//! map and table): RFC 4180 quoting, CRLF line ends, and the neutralisation of cells a
//! spreadsheet would run as a formula (our own rule), with `,` or `;` between cells; and the
//! reader for the parity table the seller edits and imports (the `csv` crate, set up once
//! here).

use serde::{Deserialize, Serialize};

/// The character between the cells of a download: `,`, or `;` for the spreadsheets of
/// locales that write a decimal comma (most of continental Europe), whose list separator
/// it is. JSON: `","` / `";"`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Separator {
    #[default]
    #[serde(rename = ",")]
    Comma,
    #[serde(rename = ";")]
    Semicolon,
}

impl Separator {
    /// The separator a spreadsheet expects where numbers are written with
    /// `decimal_separator` (what the browser's locale uses, e.g. `","` in German): `;`
    /// after a decimal comma, else `,`.
    pub fn for_decimal_separator(decimal_separator: &str) -> Separator {
        if decimal_separator.trim() == "," {
            Separator::Semicolon
        } else {
            Separator::Comma
        }
    }

    fn as_char(self) -> char {
        match self {
            Separator::Comma => ',',
            Separator::Semicolon => ';',
        }
    }
}

/// Where a spreadsheet may cut a cell in two: either separator (the file may be opened
/// with the other one), a tab, or a line break.
const SPLITS: [char; 5] = [',', ';', '\t', '\r', '\n'];

/// A CSV document being written to memory: RFC 4180 quoting, with any of the [`SPLITS`]
/// quoted too (a field is quoted when it holds a comma, a semicolon, a tab, a quote, CR or
/// LF, whichever the separator; quotes inside doubled), CRLF line ends, and records that
/// may differ in length.
pub(crate) struct CsvWriter {
    text: String,
    separator: char,
}

impl CsvWriter {
    pub(crate) fn new() -> Self {
        Self::with_separator(Separator::Comma)
    }

    pub(crate) fn with_separator(separator: Separator) -> Self {
        Self {
            text: String::new(),
            separator: separator.as_char(),
        }
    }

    /// Appends one record, cells as given. A record of one empty field (or none) is written
    /// `""`, so it is not read as a blank line.
    pub(crate) fn record<I, T>(&mut self, cells: I)
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        let line_start = self.text.len();
        for (index, cell) in cells.into_iter().enumerate() {
            let cell = cell.as_ref();
            if index > 0 {
                self.text.push(self.separator);
            }
            if cell.contains(|c| SPLITS.contains(&c) || c == '"') {
                self.text.push('"');
                self.text.push_str(&cell.replace('"', "\"\""));
                self.text.push('"');
            } else {
                self.text.push_str(cell);
            }
        }
        if self.text.len() == line_start {
            self.text.push_str("\"\"");
        }
        self.text.push_str("\r\n");
    }

    /// The document written so far.
    pub(crate) fn finish(self) -> String {
        self.text
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

/// `cell`, with a `'` in front of every piece a spreadsheet would run as a formula: a `=`,
/// `+`, `-`, `@`, tab or CR at the start of the cell or right after any of the [`SPLITS`]
/// (a spreadsheet that cuts the cell there would find a formula). The rest of the text is
/// kept as it is.
pub(crate) fn neutralised(cell: &str) -> String {
    let mut out = String::with_capacity(cell.len() + 1);
    let mut piece_starts = true;
    for c in cell.chars() {
        if piece_starts && matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r') {
            out.push('\'');
        }
        out.push(c);
        piece_starts = SPLITS.contains(&c);
    }
    out
}

#[cfg(test)]
mod tests;

// proptest is a native dev-dependency only.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod prop_tests;
