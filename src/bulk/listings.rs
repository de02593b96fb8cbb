//! Bulk listing edits: the intent from the UI and its validation, the pure planner
//! ([`plan_edit_listings`]) and the re-plan of its steps (the inverse is in `undo`, with
//! every other operation's). A function of (intent, [`Snapshot`], Gumroad's categories): no
//! I/O, no clock, no `JsValue`. Gumroad's field rules are `listing::rules`'; text edits of
//! HTML touch text only (`listing::html`, `listing_text`).
//!
//! Steps describe the desired state: an `updateListing` step carries the fields it found
//! (`before`) and the ones it wants (`after`), only those that change, so a resumed job,
//! "retry failed" and undo compare each field with Gumroad's now and never apply an edit
//! twice (a prepend twice would prepend twice) nor overwrite someone else's edit.
//!
//! Gumroad's rules that shape the plans (contract §2.1, additions §3): `PUT
//! /v2/products/:id` changes only the keys sent; `tags` replaces the whole list (the plan
//! sends each product's full new list), and an empty list cannot be sent; names ≤ 255
//! characters; tags 2–20 characters, no comma or leading `#`, five at most (the
//! dashboard's); a category is a `taxonomy_id` from `GET /v2/categories`, and the API
//! cannot remove one.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::Number;

use super::intent::{parse_intent, product_ids, whole};
use super::listing_edits::{plan_product, Valid};
pub use super::listing_edits::{Position, Suggestion, SummaryMode, TagsMode, TextField};
use super::listing_fields::{describe_now, ListingFields};
use super::plan::{Action, Operation, Plan, Step};
use super::snapshot::Snapshot;
use super::steps::{missing_step, product_step, skip, steps_for_products};
use crate::error::{clip, Error};
use crate::listing::rules::{name_problem, parse_tags, summary_problem, tags_problem};
use crate::model::{Category, Product, ProductId};
use crate::wording::count;

/// "Edit the listings of these products".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EditListingsIntent {
    /// Ignored for suggestions (each item names its product).
    #[serde(default)]
    pub product_ids: Vec<String>,
    pub edit: Edit,
}

/// The edit as the UI sends it (`kind` tags it). Read through [`EditForm`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    try_from = "EditForm"
)]
pub enum Edit {
    /// Tags typed as one line, comma-separated.
    Tags {
        mode: TagsMode,
        tags: String,
    },
    Summary {
        mode: SummaryMode,
        text: String,
    },
    FindReplace {
        field: TextField,
        find: String,
        replace: String,
        #[serde(default)]
        case_sensitive: bool,
    },
    AddText {
        field: TextField,
        position: Position,
        text: String,
    },
    Category {
        taxonomy_id: Number,
    },
    Suggestions {
        items: Vec<Suggestion>,
    },
}

/// What `kind` an edit is.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
enum EditKind {
    Tags,
    Summary,
    FindReplace,
    AddText,
    Category,
    Suggestions,
}

/// An [`Edit`] as one flat object, whose `kind` says which fields count. An internally
/// tagged enum is read by buffering the whole object first, a deserializer the wasm module
/// would carry for this form alone; a plain struct, then [`Edit::try_from`], is not.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EditForm {
    kind: EditKind,
    mode: Option<String>,
    tags: Option<String>,
    text: Option<String>,
    field: Option<TextField>,
    find: Option<String>,
    replace: Option<String>,
    #[serde(default)]
    case_sensitive: bool,
    position: Option<Position>,
    taxonomy_id: Option<Number>,
    items: Option<Vec<Suggestion>>,
}

impl TryFrom<EditForm> for Edit {
    type Error = String;

    fn try_from(form: EditForm) -> Result<Self, String> {
        fn needs<T>(value: Option<T>, name: &str) -> Result<T, String> {
            value.ok_or_else(|| format!("missing field `{name}`"))
        }
        let mode = || needs(form.mode.clone(), "mode");
        let unknown = |mode: &str| format!("unknown mode `{}`", clip(mode, 20));
        Ok(match form.kind {
            EditKind::Tags => Edit::Tags {
                mode: match mode()?.as_str() {
                    "add" => TagsMode::Add,
                    "remove" => TagsMode::Remove,
                    "replace" => TagsMode::Replace,
                    other => return Err(unknown(other)),
                },
                tags: needs(form.tags, "tags")?,
            },
            EditKind::Summary => Edit::Summary {
                mode: match mode()?.as_str() {
                    "set" => SummaryMode::Set,
                    "fillEmpty" => SummaryMode::FillEmpty,
                    other => return Err(unknown(other)),
                },
                text: needs(form.text, "text")?,
            },
            EditKind::FindReplace => Edit::FindReplace {
                field: needs(form.field, "field")?,
                find: needs(form.find, "find")?,
                replace: needs(form.replace, "replace")?,
                case_sensitive: form.case_sensitive,
            },
            EditKind::AddText => Edit::AddText {
                field: needs(form.field, "field")?,
                position: needs(form.position, "position")?,
                text: needs(form.text, "text")?,
            },
            EditKind::Category => Edit::Category {
                taxonomy_id: needs(form.taxonomy_id, "taxonomyId")?,
            },
            EditKind::Suggestions => Edit::Suggestions {
                items: needs(form.items, "items")?,
            },
        })
    }
}

/// An [`EditListingsIntent`] that passed validation.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidEdit {
    pub product_ids: Vec<ProductId>,
    pub edit: Valid,
}

fn quoted(text: &str) -> String {
    format!("“{}”", clip(text, 60))
}

impl EditListingsIntent {
    /// Every check that needs no request; `categories`: Gumroad's, when the edit sets
    /// one (`None`: not read yet, the id is then only checked to be a number). Nothing is
    /// sent for an intent that fails here.
    pub fn validate(&self, categories: Option<&[Category]>) -> Result<ValidEdit, Error> {
        let mut ids = product_ids(&self.product_ids);
        if ids.is_empty() && !matches!(self.edit, Edit::Suggestions { .. }) {
            return Err(Error::invalid_input("Select at least one product to edit."));
        }
        let edit = match &self.edit {
            Edit::Tags { mode, tags } => {
                let tags = parse_tags(tags);
                if tags.is_empty() {
                    return Err(Error::invalid_input(
                        "Type at least one tag (separate tags with commas).",
                    ));
                }
                // A tag to remove may break today's rules: it is there to be removed.
                if *mode != TagsMode::Remove {
                    if let Some(problem) = tags_problem(&tags) {
                        return Err(Error::invalid_input(problem));
                    }
                }
                Valid::Tags { mode: *mode, tags }
            }
            Edit::Summary { mode, text } => {
                let text = text.trim();
                if text.is_empty() {
                    return Err(Error::invalid_input("Type the summary."));
                }
                if let Some(problem) = summary_problem(text) {
                    return Err(Error::invalid_input(problem));
                }
                Valid::Summary {
                    mode: *mode,
                    text: text.to_owned(),
                }
            }
            Edit::FindReplace {
                field,
                find,
                replace,
                case_sensitive,
            } => {
                if find.trim().is_empty() {
                    return Err(Error::invalid_input("Type the text to find."));
                }
                if find == replace {
                    return Err(Error::invalid_input(
                        "The replacement is the same as the text to find: nothing would change.",
                    ));
                }
                Valid::FindReplace {
                    field: *field,
                    find: find.clone(),
                    replace: replace.clone(),
                    case_sensitive: *case_sensitive,
                }
            }
            Edit::AddText {
                field,
                position,
                text,
            } => {
                let text = text.trim();
                if text.is_empty() {
                    return Err(Error::invalid_input("Type the text to add."));
                }
                if *field == TextField::Name {
                    if let Some(problem) = name_problem(text) {
                        return Err(Error::invalid_input(problem));
                    }
                }
                Valid::AddText {
                    field: *field,
                    position: *position,
                    text: text.to_owned(),
                }
            }
            Edit::Category { taxonomy_id } => {
                let id = whole(taxonomy_id).filter(|id| *id > 0).ok_or_else(|| {
                    Error::invalid_input("Choose a category from Gumroad's list.")
                })?;
                let label = match categories {
                    None => String::new(),
                    Some(list) => {
                        let found = list.iter().find(|c| c.id == id).ok_or_else(|| {
                            Error::invalid_input(format!(
                                "Gumroad has no category with id {id}; choose one from its list."
                            ))
                        })?;
                        category_label(found)
                    }
                };
                Valid::Category { id, label }
            }
            Edit::Suggestions { items } => {
                if items.is_empty() {
                    return Err(Error::invalid_input("There are no suggestions to apply."));
                }
                let mut seen = HashSet::new();
                for item in items {
                    let id = item.product_id.trim();
                    if id.is_empty() {
                        return Err(Error::invalid_input("A suggestion names no product."));
                    }
                    if !seen.insert(id) {
                        return Err(Error::invalid_input(format!(
                            "Two suggestions are for the same product ({}); keep one.",
                            clip(id, 40)
                        )));
                    }
                    let empty =
                        |text: &Option<String>| text.as_deref().is_none_or(|t| t.trim().is_empty());
                    if empty(&item.name)
                        && empty(&item.summary)
                        && empty(&item.description_opening)
                        && item.tags.is_none()
                    {
                        return Err(Error::invalid_input(format!(
                            "The suggestion for {} has nothing to change.",
                            clip(id, 40)
                        )));
                    }
                }
                ids = product_ids(
                    &items
                        .iter()
                        .map(|i| i.product_id.clone())
                        .collect::<Vec<_>>(),
                );
                Valid::Suggestions(items.clone())
            }
        };
        Ok(ValidEdit {
            product_ids: ids,
            edit,
        })
    }
}

/// A category as the seller reads it: its label, else its name, else its path.
pub fn category_label(category: &Category) -> String {
    [&category.label, &category.name, &category.path]
        .into_iter()
        .map(|s| s.trim())
        .find(|s| !s.is_empty())
        .map_or_else(|| format!("Category {}", category.id), str::to_owned)
}

// ---------------------------------------------------------------------------------------
// Planning

/// The plan for editing the selected products' listings. `categories`: Gumroad's
/// (`GET /v2/categories`), needed only when the edit sets a category.
pub fn plan_edit_listings(
    intent: &EditListingsIntent,
    snapshot: &Snapshot,
    categories: &[Category],
    created_at: f64,
) -> Result<Plan, Error> {
    let needs_list = matches!(intent.edit, Edit::Category { .. });
    let valid = intent.validate(needs_list.then_some(categories))?;
    let steps: Vec<Step> = steps_for_products(&valid.product_ids, snapshot, |product, _| {
        plan_product(&valid.edit, product)
    });
    let notes = notes(&valid, &steps);
    Ok(Plan::new(
        Operation::EditListings,
        title(&valid, steps.len()),
        serde_json::to_value(intent).unwrap_or_default(),
        steps,
        notes,
        created_at,
    ))
}

/// `Add tags procreate, brushes to 12 products`, `Replace “Bundle” with “Pack” in names
/// of 3 products`…
fn title(valid: &ValidEdit, products: usize) -> String {
    let n = count(products, "product");
    let field = |field: TextField| match field {
        TextField::Name => "names",
        TextField::Description => "descriptions",
    };
    match &valid.edit {
        Valid::Tags { mode, tags } => {
            let tags = tags.join(", ");
            match mode {
                TagsMode::Add => format!("Add tags {tags} to {n}"),
                TagsMode::Remove => format!("Remove tags {tags} from {n}"),
                TagsMode::Replace => format!("Set the tags of {n} to {tags}"),
            }
        }
        Valid::Summary {
            mode: SummaryMode::Set,
            ..
        } => format!("Set the summary of {n}"),
        Valid::Summary {
            mode: SummaryMode::FillEmpty,
            ..
        } => format!("Fill in the empty summaries of {n}"),
        Valid::FindReplace {
            field: f,
            find,
            replace,
            ..
        } if replace.is_empty() => format!("Remove {} from {} of {n}", quoted(find), field(*f)),
        Valid::FindReplace {
            field: f,
            find,
            replace,
            ..
        } => format!(
            "Replace {} with {} in {} of {n}",
            quoted(find),
            quoted(replace),
            field(*f)
        ),
        Valid::AddText {
            field: f,
            position,
            text,
        } => format!(
            "Add {} to the {} of the {} of {n}",
            quoted(text),
            match position {
                Position::Prepend => "start",
                Position::Append => "end",
            },
            field(*f)
        ),
        Valid::Category { label, .. } => format!("Set the category of {n} to {label}"),
        Valid::Suggestions(_) => format!("Apply suggestions to {n}"),
    }
}

fn notes(valid: &ValidEdit, steps: &[Step]) -> Vec<String> {
    let mut notes = Vec::new();
    match &valid.edit {
        Valid::Tags { .. } => notes.push(
            "Gumroad replaces a product's whole tag list: each product's full new list is sent. Bulkroad keeps to the dashboard's rules (2–20 characters, no comma or leading #, 5 tags at most); a product whose list would break them is skipped."
                .to_owned(),
        ),
        Valid::FindReplace {
            field: TextField::Description,
            case_sensitive,
            ..
        } => notes.push(format!(
            "Only the text a reader sees is replaced, never formatting, links or other markup; a phrase split by formatting (\"<b>Quick</b> guide\") is not found.{}",
            if *case_sensitive { "" } else { " Letters match in either case." }
        )),
        Valid::FindReplace { case_sensitive: false, .. } => {
            notes.push("Letters match in either case.".to_owned())
        }
        Valid::AddText {
            field: TextField::Description,
            ..
        } => notes.push("The text is added as a paragraph of its own.".to_owned()),
        Valid::Category { .. } => notes.push(
            "Gumroad's API cannot remove a category: undoing this job leaves a category on the products that had none."
                .to_owned(),
        ),
        Valid::Suggestions(_) => notes.push(
            "A suggested opening replaces the text of the description's first paragraph (or heading, or list item); the rest of the description stays as it is. A description without one gets the opening as a new first paragraph."
                .to_owned(),
        ),
        _ => {}
    }
    notes.push(
        "Each change is read back from Gumroad's answer: a field that does not show what was sent is reported as failed."
            .to_owned(),
    );
    if !steps
        .iter()
        .any(|s| matches!(s.action, Action::UpdateListing { .. }))
    {
        notes.push("No selected product changes.".to_owned());
    }
    notes
}

// ---------------------------------------------------------------------------------------
// Re-planning

/// The fresh plan of a listing step against the product now: done already (`verified`),
/// still to do (every field as it was, or already as wanted), or changed by someone else
/// since (left alone).
pub(super) fn reconcile_listing(original: &Action, product: &Product) -> Action {
    let Action::UpdateListing { before, after, .. } = original else {
        return original.clone();
    };
    let fields = before.fields(after);
    let elsewhere: Vec<_> = fields
        .iter()
        .copied()
        .filter(|f| !after.shown_by(product, *f) && !before.shown_by(product, *f))
        .collect();
    if !elsewhere.is_empty() {
        return skip(format!(
            "Changed since this job was planned (now {}); not overwritten.",
            describe_now(product, &elsewhere)
        ));
    }
    if after.not_shown_by(product, &fields).is_empty() {
        return Action::VerifiedListing {
            before: before.clone(),
            after: after.clone(),
        };
    }
    original.clone()
}

/// `replan_steps` for an `editListings` plan: each target step against the product now.
pub(super) fn replan_edit_listings(
    originals: &[&Step],
    snapshot: &Snapshot,
    steps: &mut Vec<Step>,
) {
    for original in originals {
        steps.push(match snapshot.product(&original.product_id) {
            Some(product) => product_step(
                original.index,
                product,
                reconcile_listing(&original.action, product),
            ),
            None => missing_step(original.index, &original.product_id),
        });
    }
}

/// True for the actions of a listing step.
pub fn is_listing_action(action: &Action) -> bool {
    matches!(
        action,
        Action::UpdateListing { .. } | Action::VerifiedListing { .. }
    )
}

/// The fields of a listing action: (before, after).
pub(super) fn listing_sides(action: &Action) -> Option<(&ListingFields, &ListingFields)> {
    match action {
        Action::UpdateListing { before, after, .. } | Action::VerifiedListing { before, after } => {
            Some((before, after))
        }
        _ => None,
    }
}

/// Reads an [`EditListingsIntent`] given as JSON; a wrong shape is `InvalidInput`.
pub fn parse_listings_intent(value: &serde_json::Value) -> Result<EditListingsIntent, Error> {
    parse_intent(value)
}
