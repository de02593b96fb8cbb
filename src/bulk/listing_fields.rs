//! A listing's editable fields as a listing step carries them ([`ListingFields`]: only the
//! fields that change, before and after), how a product now compares with them, what is
//! sent for them, and how a change reads in a preview ([`FieldChange`], with a word diff
//! for names and descriptions). Shared by the planner, the writes, re-planning and undo of
//! listing edits; it decides nothing about what to edit. Pure; no `JsValue`.
//!
//! How fields compare (what "the product shows this value" means): names and summaries
//! trimmed; no summary and an empty one are the same; tags lower-cased and trimmed, in any
//! order (Gumroad stores them normalized); a description exactly, or else by its plain text
//! (Gumroad's editor may re-format HTML it is sent, and only the text is the seller's
//! edit); the category by id, where no id is "none".

use serde::{Deserialize, Serialize};

use super::word_diff::{word_diff, DiffPart};
use crate::listing::html::plain_text;
use crate::listing::rules::normalize_tag;
use crate::model::{Product, ProductUpdate};

/// Fields of a listing; `None` = not part of this step. A product with no summary or
/// description is `Some("")`, no tags `Some([])`; no category is a `taxonomyId` absent on
/// one side only (the field is in the step when either side has it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ListingFields {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// HTML.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none", deserialize_with = "whole_id")]
    pub taxonomy_id: Option<i64>,
    /// The category as shown; for display only (never sent, never compared).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category_label: Option<String>,
}

/// A category id in a plan: a whole number, which a plan that went through JS may hold as
/// a float (`7.0`). Read as a number, not through `model::lenient_i64` (Gumroad's answers'
/// reader, which would bring its JSON value reader into every plan read back from JS).
fn whole_id<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    match Option::<f64>::deserialize(deserializer)? {
        None => Ok(None),
        Some(n) if n.is_finite() && n.fract() == 0.0 && n.abs() < 9.0e15 => Ok(Some(n as i64)),
        Some(_) => Err(serde::de::Error::custom(
            "a category id must be a whole number",
        )),
    }
}

/// One field of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    Description,
    Summary,
    Tags,
    Category,
}

impl Field {
    pub const ALL: [Field; 5] = [
        Field::Name,
        Field::Description,
        Field::Summary,
        Field::Tags,
        Field::Category,
    ];

    /// The key in [`FieldChange::field`].
    pub fn key(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Description => "description",
            Field::Summary => "customSummary",
            Field::Tags => "tags",
            Field::Category => "category",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Field::Name => "Name",
            Field::Description => "Description",
            Field::Summary => "Summary",
            Field::Tags => "Tags",
            Field::Category => "Category",
        }
    }

    fn lower(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Description => "description",
            Field::Summary => "summary",
            Field::Tags => "tags",
            Field::Category => "category",
        }
    }
}

/// `name, tags`: fields in words.
pub fn field_names(fields: &[Field]) -> String {
    fields
        .iter()
        .map(|f| f.lower())
        .collect::<Vec<_>>()
        .join(", ")
}

/// One field's change, ready to show: `before` and `after` as a reader sees them (tags
/// joined with ", ", a description's plain text, the category's label, "(none)" for
/// empty), and for names and descriptions a word diff of the two.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldChange {
    /// `name`, `description`, `customSummary`, `tags` or `category`.
    pub field: String,
    /// `Name`, `Description`, `Summary`, `Tags` or `Category`.
    pub label: String,
    pub before: String,
    pub after: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub diff: Vec<DiffPart>,
}

pub const NONE: &str = "(none)";

fn trimmed(text: Option<&str>) -> &str {
    text.unwrap_or_default().trim()
}

/// Tags as Gumroad keeps them, as a set.
fn tag_set(tags: &[String]) -> Vec<String> {
    let mut set: Vec<String> = tags
        .iter()
        .map(|t| normalize_tag(t))
        .filter(|t| !t.is_empty())
        .collect();
    set.sort();
    set.dedup();
    set
}

/// Two descriptions the same, byte for byte (none and empty alike). Markup counts: a link,
/// an image or bold added since a job must stop its undo, resume or retry from writing over
/// it.
pub fn same_description(a: Option<&str>, b: Option<&str>) -> bool {
    a.unwrap_or_default() == b.unwrap_or_default()
}

/// Two descriptions that read the same: the same plain text. Only for Gumroad's answer to a
/// write it was just sent (it may re-format the HTML it keeps), never to judge an edit
/// made since.
pub fn same_description_text(a: Option<&str>, b: Option<&str>) -> bool {
    plain_text(a.unwrap_or_default()) == plain_text(b.unwrap_or_default())
}

impl ListingFields {
    /// The fields in this step, given its other side.
    pub fn fields(&self, other: &ListingFields) -> Vec<Field> {
        Field::ALL
            .into_iter()
            .filter(|f| self.has(*f) || other.has(*f))
            .collect()
    }

    fn has(&self, field: Field) -> bool {
        match field {
            Field::Name => self.name.is_some(),
            Field::Description => self.description.is_some(),
            Field::Summary => self.custom_summary.is_some(),
            Field::Tags => self.tags.is_some(),
            Field::Category => self.taxonomy_id.is_some(),
        }
    }

    /// `product`'s values of `fields`, as a step would carry them.
    pub fn of(product: &Product, fields: &[Field]) -> ListingFields {
        let mut now = ListingFields::default();
        for field in fields {
            match field {
                Field::Name => now.name = Some(product.name.clone()),
                Field::Description => {
                    now.description = Some(product.description.clone().unwrap_or_default())
                }
                Field::Summary => {
                    now.custom_summary = Some(product.custom_summary.clone().unwrap_or_default())
                }
                Field::Tags => now.tags = Some(product.tags.clone()),
                Field::Category => {
                    now.taxonomy_id = product.taxonomy_id;
                    now.category_label = product.category_label.clone();
                }
            }
        }
        now
    }

    /// Whether `product` shows this value of `field` (see the module's comparison rules).
    pub fn shown_by(&self, product: &Product, field: Field) -> bool {
        match field {
            Field::Name => product.name.trim() == trimmed(self.name.as_deref()),
            Field::Description => {
                same_description(product.description.as_deref(), self.description.as_deref())
            }
            Field::Summary => {
                trimmed(product.custom_summary.as_deref())
                    == trimmed(self.custom_summary.as_deref())
            }
            Field::Tags => {
                tag_set(&product.tags) == tag_set(self.tags.as_deref().unwrap_or_default())
            }
            Field::Category => product.taxonomy_id == self.taxonomy_id,
        }
    }

    /// The fields among `fields` that `product` does not show as in `self`.
    pub fn not_shown_by(&self, product: &Product, fields: &[Field]) -> Vec<Field> {
        fields
            .iter()
            .copied()
            .filter(|f| !self.shown_by(product, *f))
            .collect()
    }

    /// [`not_shown_by`](Self::not_shown_by) for the product Gumroad answered a write with: a
    /// description that reads as sent counts as shown (Gumroad may re-format its HTML).
    pub fn not_shown_by_answer(&self, answered: &Product, fields: &[Field]) -> Vec<Field> {
        fields
            .iter()
            .copied()
            .filter(|f| {
                !(self.shown_by(answered, *f)
                    || *f == Field::Description
                        && same_description_text(
                            answered.description.as_deref(),
                            self.description.as_deref(),
                        ))
            })
            .collect()
    }

    /// Only `fields` of `self`.
    pub fn only(&self, fields: &[Field]) -> ListingFields {
        let keep = |f: Field| fields.contains(&f);
        ListingFields {
            name: self.name.clone().filter(|_| keep(Field::Name)),
            description: self
                .description
                .clone()
                .filter(|_| keep(Field::Description)),
            custom_summary: self.custom_summary.clone().filter(|_| keep(Field::Summary)),
            tags: self.tags.clone().filter(|_| keep(Field::Tags)),
            taxonomy_id: self.taxonomy_id.filter(|_| keep(Field::Category)),
            category_label: self
                .category_label
                .clone()
                .filter(|_| keep(Field::Category)),
        }
    }

    /// `PUT /v2/products/:id` with these fields and nothing else (the label is not sent).
    pub fn update(&self) -> ProductUpdate {
        ProductUpdate {
            name: self.name.clone(),
            description: self.description.clone(),
            custom_summary: self.custom_summary.clone(),
            tags: self.tags.clone(),
            taxonomy_id: self.taxonomy_id,
            ..ProductUpdate::default()
        }
    }

    /// `field` as a reader sees it.
    pub fn display(&self, field: Field) -> String {
        let text = match field {
            Field::Name => trimmed(self.name.as_deref()).to_owned(),
            Field::Description => plain_text(self.description.as_deref().unwrap_or_default()),
            Field::Summary => trimmed(self.custom_summary.as_deref()).to_owned(),
            Field::Tags => self.tags.as_deref().unwrap_or_default().join(", "),
            Field::Category => match (&self.category_label, self.taxonomy_id) {
                (Some(label), Some(_)) if !label.trim().is_empty() => label.trim().to_owned(),
                (_, Some(id)) => format!("Category {id}"),
                (_, None) => String::new(),
            },
        };
        if text.is_empty() {
            NONE.to_owned()
        } else {
            text
        }
    }
}

/// `product`'s values of `fields` in words: `name “Old”, tags a, b`.
pub fn describe_now(product: &Product, fields: &[Field]) -> String {
    let now = ListingFields::of(product, fields);
    fields
        .iter()
        .map(|f| {
            let shown = now.display(*f);
            let shown = crate::listing::html::first_chars(&shown, 80);
            format!("{} “{shown}”", f.lower())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a listing step changes, field by field, ready to show.
pub fn changes(before: &ListingFields, after: &ListingFields) -> Vec<FieldChange> {
    before
        .fields(after)
        .into_iter()
        .map(|field| {
            let (was, will) = (before.display(field), after.display(field));
            let diff = match field {
                Field::Name | Field::Description => {
                    let plain = |text: &str| {
                        if text == NONE {
                            String::new()
                        } else {
                            text.to_owned()
                        }
                    };
                    word_diff(&plain(&was), &plain(&will))
                }
                _ => Vec::new(),
            };
            FieldChange {
                field: field.key().to_owned(),
                label: field.label().to_owned(),
                before: was,
                after: will,
                diff,
            }
        })
        .collect()
}
