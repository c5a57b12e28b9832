//! Verbs: what an actor did.

use sea_orm::ActiveEnum;

/// A verb of an activity stream: a Rust enum stored as its slug.
///
/// Implemented by `#[derive(Verb)]` next to sea-orm's `DeriveActiveEnum`, which maps each
/// variant to its slug (`#[sea_orm(string_value = "..")]`, at most 255 characters). The derive
/// adds the human label from `#[verb(label = "..")]`; without one, the label is the variant
/// name split into words ("ObjectEdited" → "Object edited").
///
/// ```
/// use stream_core::prelude::*; // the `Verb` trait, for `slug()` and `label()`
/// use stream_core::sea_orm::{self, entity::prelude::*};
///
/// #[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, stream_core::Verb)]
/// #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
/// pub enum Verb {
///     #[sea_orm(string_value = "default")]
///     #[verb(label = "Stream Item")]
///     Default,
///     #[sea_orm(string_value = "followed")]
///     Followed,
/// }
///
/// assert_eq!(Verb::Default.slug(), "default");
/// assert_eq!(Verb::Default.label(), "Stream Item");
/// assert_eq!(Verb::Followed.label(), "Followed");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a stream verb",
    label = "not a `stream_core::Verb`",
    note = "add `stream_core::Verb` to the `#[derive(..)]` of `{Self}`, next to sea-orm's `DeriveActiveEnum`"
)]
pub trait Verb:
    ActiveEnum<Value = String> + sea_orm::Iterable + Clone + std::fmt::Debug + Send + Sync + 'static
{
    /// The human label, e.g. `"Stream Item"`.
    fn label(&self) -> &'static str;

    /// The slug stored in the `verb` column, e.g. `"default"`.
    fn slug(&self) -> String {
        self.to_value()
    }

    /// The Activity Streams 2.0 type of an action with this verb: `Like`, `Follow`, `Create`
    /// .. or an absolute IRI, from `#[verb(as2 = "Like")]`; `Activity` without one.
    fn as2_type(&self) -> &'static str {
        "Activity"
    }

    /// How actions of this verb group when a stream is read
    /// [`aggregated`](crate::Aggregate::aggregated): from `#[verb(group_by = "..")]` on the
    /// variant, else [`Grouping::DEFAULT`](crate::Grouping::DEFAULT) (the same target on the same UTC day).
    fn grouping(&self) -> crate::Grouping {
        crate::Grouping::DEFAULT
    }

    /// Every variant, in declaration order.
    fn all() -> Vec<Self> {
        <Self as sea_orm::Iterable>::iter().collect()
    }
}
