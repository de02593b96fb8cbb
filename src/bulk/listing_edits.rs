//! The listing edits one by one — tags, summary, find and replace, added text, category,
//! suggestions — and what each does to one product ([`plan_product`]): an `updateListing`
//! with only the fields that change, or a skip that says why (nothing to change, or a
//! result that would break one of Gumroad's rules). Pure; validation of what the seller
//! typed is the planner's (`listings`), and so are titles and notes.

use serde::{Deserialize, Serialize};

use super::listing_fields::{Field, ListingFields};
use super::listing_text::{opening_text, paragraph, replace_opening};
use super::plan::Action;
use super::steps::skip;
use crate::error::clip;
use crate::listing::html::{collapse_space, plain_text, replace_plain, replace_text};
use crate::listing::rules::{
    name_problem, normalize_tag, parse_tags, summary_problem, tags_problem,
};
use crate::model::Product;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TagsMode {
    Add,
    Remove,
    Replace,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SummaryMode {
    Set,
    FillEmpty,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TextField {
    Name,
    Description,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Position {
    Prepend,
    Append,
}

/// Values for one product produced elsewhere (checked again against Gumroad's rules
/// here). `descriptionOpening` replaces the text of the description's opening block
/// (the rule: `listing_text`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Suggestion {
    pub product_id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub description_opening: Option<String>,
    /// A list (each normalized; a tag with a comma splits, as if typed).
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}

/// A suggestion's tags as Gumroad would store them.
pub fn suggested_tags(tags: &[String]) -> Vec<String> {
    parse_tags(&tags.join(","))
}

/// A validated edit (see `listings::EditListingsIntent::validate`).
#[derive(Debug, Clone, PartialEq)]
pub enum Valid {
    Tags {
        mode: TagsMode,
        /// Normalized, without repeats.
        tags: Vec<String>,
    },
    Summary {
        mode: SummaryMode,
        /// Trimmed.
        text: String,
    },
    FindReplace {
        field: TextField,
        find: String,
        replace: String,
        case_sensitive: bool,
    },
    AddText {
        field: TextField,
        position: Position,
        /// Trimmed.
        text: String,
    },
    Category {
        id: i64,
        label: String,
    },
    Suggestions(Vec<Suggestion>),
}

fn quoted(text: &str) -> String {
    format!("“{}”", clip(text, 60))
}

/// What `edit` does to `product`.
pub fn plan_product(edit: &Valid, product: &Product) -> Action {
    match edit {
        Valid::Tags { mode, tags } => edit_tags(*mode, tags, product),
        Valid::Summary { mode, text } => edit_summary(*mode, text, product),
        Valid::FindReplace {
            field,
            find,
            replace,
            case_sensitive,
        } => find_replace(*field, find, replace, *case_sensitive, product),
        Valid::AddText {
            field,
            position,
            text,
        } => add_text(*field, *position, text, product),
        Valid::Category { id, label } => set_category(*id, label, product),
        Valid::Suggestions(items) => match items
            .iter()
            .find(|i| i.product_id.trim() == product.id.as_str())
        {
            Some(item) => suggest(item, product),
            None => skip("No suggestion for this product."),
        },
    }
}

/// The step that changes `fields` of `product` to `after`.
fn update(
    product: &Product,
    fields: &[Field],
    after: ListingFields,
    note: Option<String>,
) -> Action {
    Action::UpdateListing {
        before: ListingFields::of(product, fields),
        after,
        note,
    }
}

/// The product's tags, normalized.
fn tags_now(product: &Product) -> Vec<String> {
    parse_tags(&product.tags.join(","))
}

fn edit_tags(mode: TagsMode, typed: &[String], product: &Product) -> Action {
    let now = tags_now(product);
    let new: Vec<String> = match mode {
        TagsMode::Add => {
            let mut new = now.clone();
            new.extend(typed.iter().filter(|t| !now.contains(t)).cloned());
            new
        }
        TagsMode::Remove => now.iter().filter(|t| !typed.contains(t)).cloned().collect(),
        TagsMode::Replace => typed.to_vec(),
    };
    let same = {
        let (mut a, mut b) = (now.clone(), new.clone());
        a.sort();
        b.sort();
        a == b
    };
    if same {
        return skip(match mode {
            TagsMode::Add => "Already has these tags.",
            TagsMode::Remove => "Has none of these tags.",
            TagsMode::Replace => "Already has exactly these tags.",
        });
    }
    if new.is_empty() {
        return skip(
            "This would remove its last tag: Gumroad's API cannot set an empty tag list, so remove it in the dashboard.",
        );
    }
    if let Some(problem) = tags_problem(&new) {
        return skip(format!("Its tags would break a rule: {problem}"));
    }
    update(
        product,
        &[Field::Tags],
        ListingFields {
            tags: Some(new),
            ..ListingFields::default()
        },
        None,
    )
}

fn summary_now(product: &Product) -> &str {
    product.custom_summary.as_deref().unwrap_or_default().trim()
}

fn edit_summary(mode: SummaryMode, text: &str, product: &Product) -> Action {
    let now = summary_now(product);
    if mode == SummaryMode::FillEmpty && !now.is_empty() {
        return skip("Already has a summary (kept).");
    }
    if now == text {
        return skip("Already has this summary.");
    }
    update(product, &[Field::Summary], summary(text), None)
}

fn summary(text: &str) -> ListingFields {
    ListingFields {
        custom_summary: Some(text.to_owned()),
        ..ListingFields::default()
    }
}

fn name(text: String) -> ListingFields {
    ListingFields {
        name: Some(text),
        ..ListingFields::default()
    }
}

fn description(html: String) -> ListingFields {
    ListingFields {
        description: Some(html),
        ..ListingFields::default()
    }
}

fn places(n: usize) -> String {
    if n == 1 {
        "1 place".to_owned()
    } else {
        format!("{n} places")
    }
}

fn find_replace(
    field: TextField,
    find: &str,
    replace: &str,
    case_sensitive: bool,
    product: &Product,
) -> Action {
    match field {
        TextField::Name => {
            let (new, n) = replace_plain(&product.name, find, replace, case_sensitive);
            let new = new.trim().to_owned();
            if n == 0 {
                return skip(format!("{} is not in its name.", quoted(find)));
            }
            if new == product.name.trim() {
                return skip("Its name already reads that way.");
            }
            if let Some(problem) = name_problem(&new) {
                return skip(format!("The new name would break a rule: {problem}"));
            }
            update(product, &[Field::Name], name(new), None)
        }
        TextField::Description => {
            let html = product.description.as_deref().unwrap_or_default();
            let (new, n) = replace_text(html, find, replace, case_sensitive);
            if n == 0 {
                return skip(format!(
                    "{} is not in its description's text.",
                    quoted(find)
                ));
            }
            if new == html {
                return skip("Its description already reads that way.");
            }
            update(
                product,
                &[Field::Description],
                description(new),
                Some(format!("Replaced in {}.", places(n))),
            )
        }
    }
}

fn add_text(field: TextField, position: Position, text: &str, product: &Product) -> Action {
    let where_ = match position {
        Position::Prepend => "starts",
        Position::Append => "ends",
    };
    match field {
        TextField::Name => {
            let now = product.name.trim();
            let there = match position {
                Position::Prepend => now.starts_with(text),
                Position::Append => now.ends_with(text),
            };
            if there {
                return skip(format!("Its name already {where_} with {}.", quoted(text)));
            }
            let new = match position {
                Position::Prepend => format!("{text} {now}"),
                Position::Append => format!("{now} {text}"),
            };
            if let Some(problem) = name_problem(&new) {
                return skip(format!("The new name would break a rule: {problem}"));
            }
            update(product, &[Field::Name], name(new.trim().to_owned()), None)
        }
        TextField::Description => {
            let html = product.description.as_deref().unwrap_or_default();
            let shown = plain_text(html);
            let wanted = collapse_space(text);
            let there = match position {
                Position::Prepend => shown.starts_with(&wanted),
                Position::Append => shown.ends_with(&wanted),
            };
            if there {
                return skip(format!(
                    "Its description already {where_} with {}.",
                    quoted(text)
                ));
            }
            let block = paragraph(text);
            let new = match position {
                Position::Prepend => format!("{block}{html}"),
                Position::Append => format!("{html}{block}"),
            };
            update(product, &[Field::Description], description(new), None)
        }
    }
}

fn set_category(id: i64, label: &str, product: &Product) -> Action {
    if product.taxonomy_id == Some(id) {
        return skip(format!("Already in {}.", quoted(label)));
    }
    update(
        product,
        &[Field::Category],
        ListingFields {
            taxonomy_id: Some(id),
            category_label: Some(label.to_owned()),
            ..ListingFields::default()
        },
        None,
    )
}

/// A suggestion is applied whole or not at all: one value that breaks a rule skips the
/// product with the rule's sentence (the values were meant together).
fn suggest(item: &Suggestion, product: &Product) -> Action {
    let given = |text: &Option<String>| {
        text.as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    let mut after = ListingFields::default();
    let mut fields = Vec::new();
    if let Some(new) = given(&item.name) {
        if let Some(problem) = name_problem(&new) {
            return skip(format!("The suggested name breaks a rule: {problem}"));
        }
        if new != product.name.trim() {
            after.name = Some(new);
            fields.push(Field::Name);
        }
    }
    if let Some(new) = given(&item.summary) {
        if let Some(problem) = summary_problem(&new) {
            return skip(format!("The suggested summary breaks a rule: {problem}"));
        }
        if new != summary_now(product) {
            after.custom_summary = Some(new);
            fields.push(Field::Summary);
        }
    }
    if let Some(new) = given(&item.description_opening) {
        let html = product.description.as_deref().unwrap_or_default();
        if opening_text(html) != collapse_space(&new) {
            after.description = Some(replace_opening(html, &new));
            fields.push(Field::Description);
        }
    }
    if let Some(input) = &item.tags {
        let new = suggested_tags(input);
        if new.is_empty() {
            return skip("The suggestion has no tags: Gumroad's API cannot set an empty tag list.");
        }
        if let Some(problem) = tags_problem(&new) {
            return skip(format!("The suggested tags break a rule: {problem}"));
        }
        let mut sorted_new: Vec<String> = new.iter().map(|t| normalize_tag(t)).collect();
        let mut sorted_now = tags_now(product);
        sorted_new.sort();
        sorted_now.sort();
        if sorted_new != sorted_now {
            after.tags = Some(new);
            fields.push(Field::Tags);
        }
    }
    if fields.is_empty() {
        return skip("Already as suggested.");
    }
    // `Field::ALL` order, so before and after list the fields alike.
    let fields: Vec<Field> = Field::ALL
        .into_iter()
        .filter(|f| fields.contains(f))
        .collect();
    update(product, &fields, after, None)
}
