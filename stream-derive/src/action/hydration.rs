//! Hydration: `Loaded` (an action with its roles' models), the joins that select them, and
//! the two decoders of a joined row: by column name (`FromQueryResult`, for any select of
//! `hydrate()`) and by position (the page statements, whose select list is known).

use super::columns::{FIXED, Fixed};
use super::{Plan, Slot};
use crate::role::{ROLES, Role};
use proc_macro2::TokenStream;
use quote::quote;

pub fn generate(plan: &Plan) -> TokenStream {
    let loaded = loaded(plan);
    let joins = join_roles(plan);
    let page = decode_page_row(plan);
    quote! {
        #loaded
        #joins
        #page
    }
}

/// `Loaded`, and how it decodes itself by column name.
fn loaded(plan: &Plan) -> TokenStream {
    let by_name = ROLES.map(|role| by_name(plan, role));
    quote! {
        /// An action with its actor, target and action object loaded, as returned by
        /// `select.hydrate()` (see `stream_core::Hydrate`).
        #[derive(Clone, Debug, PartialEq)]
        pub struct Loaded {
            /// The action row.
            pub action: Model,
            /// Who did it.
            pub actor: ActorModel,
            /// What it was done to.
            pub target: ::core::option::Option<TargetModel>,
            /// What it was done with.
            pub action_object: ::core::option::Option<ActionObjectModel>,
        }

        #[automatically_derived]
        impl ::core::convert::AsRef<Model> for Loaded {
            fn as_ref(&self) -> &Model {
                &self.action
            }
        }

        #[automatically_derived]
        impl sea_orm::FromQueryResult for Loaded {
            fn from_query_result(
                row: &sea_orm::QueryResult,
                pre: &str,
            ) -> ::core::result::Result<Self, sea_orm::DbErr> {
                let action = <Model as sea_orm::FromQueryResult>::from_query_result(row, pre)?;
                #(#by_name)*
                ::core::result::Result::Ok(Loaded { action, actor, target, action_object })
            }
        }
    }
}

/// `let <role> = ..;` in `Loaded::from_query_result`: the model joined through the column
/// `<role>_id()` names, read by its prefixed column names.
fn by_name(plan: &Plan, role: &'static Role) -> TokenStream {
    let private = &plan.private;
    let loaded = role.ident();
    let slots: Vec<&Slot> = plan.slots_of(role).collect();
    if slots.is_empty() {
        return quote! { let #loaded = ::core::option::Option::None; };
    }
    let (id_enum, model_enum, role_variant) = (role.id_enum(), role.model_enum(), role.variant());
    let arms = slots.iter().map(|slot| {
        let (variant, model, alias) = (
            &slot.model.variant,
            slot.model.model(),
            slot.field.to_string(),
        );
        let decoded = quote! {
            #model_enum::#variant(#private::decode_model::<#model>(
                row, pre, #alias, action.id, #private::Role::#role_variant,
            )?)
        };
        let decoded = if role.required {
            decoded
        } else {
            quote! { ::core::option::Option::Some(#decoded) }
        };
        quote! { ::core::option::Option::Some(#id_enum::#variant(_)) => #decoded, }
    });
    let none = if role.required {
        quote! {
            return ::core::result::Result::Err(#private::missing_role_db(
                action.id,
                #private::Role::#role_variant,
            ));
        }
    } else {
        quote! { ::core::option::Option::None }
    };
    let id_fn = role.id_fn();
    quote! {
        let #loaded = match action.#id_fn() {
            #(#arms)*
            ::core::option::Option::None => { #none }
        };
    }
}

/// One aliased `LEFT JOIN` per role column, selecting each joined model's columns: all of
/// them (`join_roles`, read by name), or the page's (read by position).
fn join_roles(plan: &Plan) -> TokenStream {
    let private = &plan.private;
    let joins = plan.slots.iter().map(|slot| {
        let (model, column, alias) = (slot.model.model(), &slot.column, slot.field.to_string());
        quote! {
            let select = #private::join_model::<Entity, #model>(
                select,
                sea_orm::RelationTrait::def(&Relation::#column),
                #alias,
                if page {
                    <#model as #private::Streamable>::__STREAM_PAGE_COLUMNS
                } else {
                    <#model as #private::Streamable>::__STREAM_COLUMNS
                },
            );
        }
    });
    quote! {
        fn join_roles(select: sea_orm::Select<Entity>, page: bool) -> sea_orm::Select<Entity> {
            #(#joins)*
            select
        }
    }
}

/// The page decoder: the action's columns by position (see `columns`), then each joined
/// model from where the ones before it end.
fn decode_page_row(plan: &Plan) -> TokenStream {
    let private = &plan.private;
    let action_columns = FIXED.len() + plan.slots.len() + plan.extras.len();
    let fixed = FIXED.map(|fixed| fixed.read_at(private));
    let fixed_fields = FIXED.map(Fixed::field);
    let extras = plan
        .extras
        .iter()
        .enumerate()
        .map(|(k, extra)| extra.read_at(private, plan.extra_position(k)));
    let extra_fields = plan.extras.iter().map(|extra| extra.field());
    let role_fields = plan.slots.iter().map(|slot| &slot.field);
    // Where each slot's model starts: after the action's columns and every model before it.
    let mut offsets = Vec::new();
    let mut widths: Vec<TokenStream> = Vec::new();
    for slot in &plan.slots {
        offsets.push(quote! { ACTION_COLUMNS #(+ #widths)* });
        let model = slot.model.model();
        widths.push(quote! { <#model as #private::Streamable>::__STREAM_PAGE_COLUMNS.len() });
    }
    let by_position = ROLES.map(|role| by_position(plan, role, &offsets));
    quote! {
        /// A row of a hydrated page: the action's columns come first in `Column` order.
        fn decode_page_row(
            row: &sea_orm::QueryResult,
        ) -> ::core::result::Result<Loaded, sea_orm::DbErr> {
            const ACTION_COLUMNS: usize = #action_columns;
            #(#fixed)*
            #(#extras)*
            #(#by_position)*
            let action = Model {
                #(#fixed_fields,)*
                #(#role_fields,)*
                #(#extra_fields,)*
            };
            ::core::result::Result::Ok(Loaded { action, actor, target, action_object })
        }
    }
}

/// How the page decoder reads one role: the role's key columns (decoded up front; a row
/// sets at most one, but a row written by hand may set several), and the model joined
/// through the first set one in declaration order, as `<role>_id()` decides.
fn by_position(plan: &Plan, role: &'static Role, offsets: &[TokenStream]) -> TokenStream {
    let private = &plan.private;
    let loaded = role.ident();
    let (model_enum, role_variant) = (role.model_enum(), role.variant());
    let slots: Vec<(usize, &Slot)> = plan
        .slots
        .iter()
        .enumerate()
        .filter(|(_, slot)| slot.role == role)
        .collect();
    if slots.is_empty() {
        return quote! { let #loaded = ::core::option::Option::None; };
    }
    let keys = slots.iter().map(|(_, slot)| {
        let (field, key, position) = (&slot.field, &slot.model.pk_alias, slot.position);
        quote! {
            let #field: ::core::option::Option<#key> = #private::optional_at(row, #position)?;
        }
    });
    let chain = slots.iter().map(|&(index, slot)| {
        let (field, model, variant, at) = (
            &slot.field,
            slot.model.model(),
            &slot.model.variant,
            &offsets[index],
        );
        quote! {
            if let ::core::option::Option::Some(key) = &#field {
                let model = #private::decode_model_at::<#model>(
                    row, #at, key, id, #private::Role::#role_variant,
                )?;
                ::core::option::Option::Some(#model_enum::#variant(model))
            } else
        }
    });
    let decided = if role.required {
        quote! {
            let #loaded = match #(#chain)* { ::core::option::Option::None } {
                ::core::option::Option::Some(model) => model,
                ::core::option::Option::None => {
                    return ::core::result::Result::Err(#private::missing_role_db(
                        id,
                        #private::Role::#role_variant,
                    ));
                }
            };
        }
    } else {
        quote! { let #loaded = #(#chain)* { ::core::option::Option::None }; }
    };
    quote! {
        #(#keys)*
        #decided
    }
}
