//! `Model`: the fixed columns, defined once here, then one column per model per role, then
//! the optional columns of the `public` and `data` keys ([`Extra`]).
//!
//! A hydrated page reads the action's columns by position, so a column's place in `Model`
//! is also its place in a row: both come from [`FIXED`], the plan's slots and its extras.

use super::Plan;
use crate::attr::upper_camel;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Ident, Type};

/// The columns every action table has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fixed {
    Timestamp,
    Id,
    Verb,
    Description,
    GetOrCreateKey,
}

/// The fixed columns in `Model` order. `timestamp` is first so that the unique
/// `(timestamp, id)` index serves newest-first streams.
pub const FIXED: [Fixed; 5] = [
    Fixed::Timestamp,
    Fixed::Id,
    Fixed::Verb,
    Fixed::Description,
    Fixed::GetOrCreateKey,
];

impl Fixed {
    pub fn name(self) -> &'static str {
        match self {
            Fixed::Timestamp => "timestamp",
            Fixed::Id => "id",
            Fixed::Verb => "verb",
            Fixed::Description => "description",
            Fixed::GetOrCreateKey => "get_or_create_key",
        }
    }

    pub fn field(self) -> Ident {
        format_ident!("{}", self.name())
    }

    /// The `Column` variant.
    pub fn column(self) -> Ident {
        format_ident!("{}", upper_camel(self.name()))
    }

    /// The place of the column in `Model` and in a row.
    pub fn position(self) -> usize {
        FIXED
            .iter()
            .position(|&fixed| fixed == self)
            .unwrap_or(FIXED.len())
    }

    fn doc(self) -> &'static str {
        match self {
            Fixed::Timestamp => "When it happened.",
            Fixed::Id => "The primary key.",
            Fixed::Verb => "What the actor did.",
            Fixed::Description => "Free text.",
            Fixed::GetOrCreateKey => {
                "Set on rows made by `get_or_create`: a hash of what it matched on."
            }
        }
    }

    /// The type the page decoder reads, and whether the column is nullable (`Option<..>`
    /// of it in `Model`).
    fn value_type(self) -> (TokenStream, bool) {
        match self {
            Fixed::Timestamp => (quote! { Timestamp }, false),
            Fixed::Id => (quote! { i64 }, false),
            Fixed::Verb => (quote! { ActionVerb }, false),
            Fixed::Description | Fixed::GetOrCreateKey => (quote! { ::std::string::String }, true),
        }
    }

    /// The field of `Model`.
    fn declaration(self) -> TokenStream {
        let (doc, field) = (self.doc(), self.field());
        let (attrs, ty) = match self {
            Fixed::Timestamp => (quote! { unique_key = "timestamp_id" }, quote! { Timestamp }),
            Fixed::Id => (
                quote! { primary_key, unique_key = "timestamp_id" },
                quote! { i64 },
            ),
            Fixed::Verb => (quote! { indexed }, quote! { ActionVerb }),
            Fixed::Description => (
                quote! { column_type = "Text", nullable },
                quote! { Option<String> },
            ),
            Fixed::GetOrCreateKey => (
                quote! { unique, column_type = "String(StringLen::N(64))", nullable },
                quote! { Option<String> },
            ),
        };
        quote! {
            #[doc = #doc]
            #[sea_orm(#attrs)]
            pub #field: #ty,
        }
    }

    /// `let <field> = ..;` reading the column from a page row at its position.
    pub fn read_at(self, private: &TokenStream) -> TokenStream {
        let (field, at) = (self.field(), self.position());
        match self.value_type() {
            (ty, false) => quote! { let #field = row.try_get_by_index::<#ty>(#at)?; },
            (ty, true) => quote! { let #field = #private::optional_at::<#ty>(row, #at)?; },
        }
    }
}

/// A column that a key of `action_entity!` adds; without the key, the table has no such
/// column. They come after the role columns, `public` first.
#[derive(Clone, Copy, Debug)]
pub enum Extra<'a> {
    /// `public = true`: `public: bool`, `NOT NULL DEFAULT TRUE`.
    Public,
    /// `data = Type`: `data: Option<Json>`, a JSON column holding a serialized `Type`.
    Data(&'a Type),
}

impl Extra<'_> {
    pub fn name(self) -> &'static str {
        match self {
            Extra::Public => "public",
            Extra::Data(_) => "data",
        }
    }

    pub fn field(self) -> Ident {
        format_ident!("{}", self.name())
    }

    /// The `Column` variant.
    pub fn column(self) -> Ident {
        format_ident!("{}", upper_camel(self.name()))
    }

    /// The field of `Model`. The data is held as the JSON value it is stored as, so that a
    /// row whose JSON no longer fits the type reads (and a page of it loads); `Model::data()`
    /// turns it into the type, with an error for that one row.
    fn declaration(self) -> TokenStream {
        match self {
            Extra::Public => quote! {
                /// Whether the action shows in public streams (`.public_only()`): `true`
                /// unless it was sent with `.private()`.
                #[sea_orm(default_value = true)]
                pub public: bool,
            },
            Extra::Data(ty) => {
                let doc = format!(
                    "The action's data as stored, JSON; `NULL` when none was given. `data()` reads it as `{}`.",
                    quote!(#ty).to_string().replace(' ', "")
                );
                // `JsonBinary`: `jsonb` on PostgreSQL, `json` on MySQL/MariaDB, text on SQLite.
                quote! {
                    #[doc = #doc]
                    #[sea_orm(column_type = "JsonBinary", nullable)]
                    pub data: Option<ActionJson>,
                }
            }
        }
    }

    /// `let <field> = ..;` reading the column from a page row at `at`.
    pub fn read_at(self, private: &TokenStream, at: usize) -> TokenStream {
        let field = self.field();
        match self {
            Extra::Public => quote! { let #field = row.try_get_by_index::<bool>(#at)?; },
            Extra::Data(_) => {
                quote! { let #field = #private::optional_at::<ActionJson>(row, #at)?; }
            }
        }
    }
}

pub fn generate(plan: &Plan) -> TokenStream {
    let private = &plan.private;
    let table_name = &plan.input.table_name;
    let verb = crate::relay::from_child(&plan.input.verb);
    let pk_aliases = plan.models.iter().map(|m| {
        let (alias, model) = (&m.pk_alias, m.model());
        let doc = format!("The primary-key type of `{}`.", m.info.name);
        quote! {
            #[doc = #doc]
            pub type #alias = <#model as #private::Streamable>::Pk;
        }
    });
    let fixed = FIXED.map(Fixed::declaration);
    // Indexed by `(column, timestamp, id)`, which serves the foreign key and the column's
    // newest-first stream: see `stream_core::schema::stream_indexes`.
    let fields = plan.slots.iter().map(|slot| {
        let (field, alias) = (&slot.field, &slot.model.pk_alias);
        let doc = format!(
            "The {} when it is a `{}`.",
            slot.role.words, slot.model.info.name
        );
        quote! {
            #[doc = #doc]
            pub #field: Option<#alias>,
        }
    });
    let extras = plan.extras.iter().map(|extra| extra.declaration());
    // The JSON type of the `data` column: sea-orm's, which needs stream-core's `json`
    // feature (the macro says so otherwise).
    let json = plan.data().map(|_| {
        let alias = super::data_alias(&plan.input.ident);
        quote! {
            #private::require_json_feature!();
            /// The JSON value the `data` column holds (`serde_json::Value`).
            pub type ActionJson = #private::Json;
            /// The type of an action's data, as `data = ..` declares it: what `.data(..)`
            /// stores and `Model::data()` reads back.
            pub type ActionData = super::#alias;
        }
    });
    quote! {
        /// The verb enum of this action table.
        pub type ActionVerb = #verb;
        /// When an action happened.
        pub type Timestamp = #private::chrono::DateTime<#private::chrono::Utc>;
        #(#pk_aliases)*
        #json

        /// One action: an actor did a verb, maybe to a target, maybe with an action object.
        #[derive(Clone, Debug, PartialEq, sea_orm::DeriveEntityModel)]
        #[sea_orm(table_name = #table_name)]
        // `DeriveEntityModel` reads `Option<..>` by name to make a column nullable; this
        // module is ours, so the prelude's `Option` and `String` are the ones meant.
        pub struct Model {
            #(#fixed)*
            #(#fields)*
            #(#extras)*
        }

        #[automatically_derived]
        impl sea_orm::ActiveModelBehavior for ActiveModel {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_the_order_of_the_model_fields() {
        let declared: Vec<String> = FIXED
            .iter()
            .map(|fixed| {
                let field: syn::Field = syn::parse::Parser::parse2(
                    syn::Field::parse_named,
                    // Without the trailing comma of the declaration.
                    {
                        let mut tokens: Vec<_> = fixed.declaration().into_iter().collect();
                        tokens.pop();
                        tokens.into_iter().collect()
                    },
                )
                .unwrap();
                field.ident.unwrap().to_string()
            })
            .collect();
        for (position, fixed) in FIXED.iter().enumerate() {
            assert_eq!(fixed.position(), position);
            assert_eq!(declared[position], fixed.name());
        }
    }

    #[test]
    fn the_timestamp_comes_first_for_the_newest_first_index() {
        assert_eq!(Fixed::Timestamp.position(), 0);
        assert_eq!(Fixed::Id.position(), 1);
    }
}
