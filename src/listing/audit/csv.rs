//! The audit as a CSV download: one row per product, with a header row, through the
//! shared writer (RFC 4180, CRLF) and with every cell that came from the seller defused
//! against spreadsheet formulas.

use super::{Audit, AuditRow, PartId};
use crate::spreadsheet_csv::{neutralised, CsvWriter};

/// The columns, in order: the product, its score and band, each part's score (by
/// [`PartId::ALL`]), Discover, the findings (ids, then messages, `; ` between), the
/// snippet, the category and comparable prices.
pub fn audit_csv(audit: &Audit) -> String {
    let mut writer = CsvWriter::new();
    let mut header: Vec<String> = ["Product ID", "Name", "Price", "Published", "Score", "Band"]
        .map(String::from)
        .to_vec();
    header.extend(
        PartId::ALL
            .iter()
            .map(|part| format!("{} ({} %)", part.label(), part.weight())),
    );
    header.extend(
        [
            "Discover",
            "Findings",
            "Finding details",
            "Snippet",
            "Category",
            "Comparable p25",
            "Comparable median",
            "Comparable p75",
        ]
        .map(String::from),
    );
    writer.record(&header);
    for row in &audit.rows {
        writer.record(cells(row));
    }
    writer.finish()
}

fn cells(row: &AuditRow) -> Vec<String> {
    let mut cells = vec![
        neutralised(row.product_id.as_str()),
        neutralised(&row.name),
        neutralised(&row.formatted_price),
        if row.published { "yes" } else { "no" }.to_owned(),
        row.score.to_string(),
        row.band_label.to_string(),
    ];
    cells.extend(PartId::ALL.iter().map(|id| {
        row.parts
            .iter()
            .find(|part| part.id == *id)
            .map_or_else(String::new, |part| part.score.to_string())
    }));
    let discover = match row.discover.eligible {
        Some(true) => "eligible",
        Some(false) => "not eligible",
        None => "unknown",
    };
    let ids: Vec<&str> = row.findings.iter().map(|f| f.id.as_ref()).collect();
    let messages: Vec<&str> = row.findings.iter().map(|f| f.message.as_str()).collect();
    let comps = |pick: fn(&super::CompsSummary) -> &Option<String>| {
        row.comps
            .as_ref()
            .and_then(|c| pick(c).clone())
            .unwrap_or_default()
    };
    cells.extend([
        discover.to_owned(),
        ids.join("; "),
        neutralised(&messages.join("; ")),
        neutralised(&row.snippet),
        neutralised(row.category_label.as_deref().unwrap_or_default()),
        neutralised(&comps(|c| &c.p25)),
        neutralised(&comps(|c| &c.p50)),
        neutralised(&comps(|c| &c.p75)),
    ]);
    cells
}
