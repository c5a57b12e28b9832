//! The `ActionEntity` impl: the fixed columns, the role columns and the hydration hooks.

use super::Plan;
use super::columns::Fixed;
use crate::relay::name_span;
use crate::role::ROLES;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

pub fn generate(plan: &Plan) -> TokenStream {
    let private = &plan.private;
    // A verb type that is not a `Verb` is reported on the path the user wrote.
    let verb_type = quote_spanned! {name_span(&plan.input.verb)=> type Verb = ActionVerb; };
    let [id, verb, description, timestamp, key] = [
        Fixed::Id,
        Fixed::Verb,
        Fixed::Description,
        Fixed::Timestamp,
        Fixed::GetOrCreateKey,
    ]
    .map(Fixed::column);
    let role_column_arms = ROLES.map(|role| {
        let variant = role.variant();
        let columns = plan.slots_of(role).map(|slot| &slot.column);
        quote! { #private::Role::#variant => &[#(Column::#columns),*], }
    });
    let null_arms = plan.slots.iter().map(|slot| {
        let (column, alias) = (&slot.column, &slot.model.pk_alias);
        quote! {
            Column::#column => ::core::convert::Into::into(::core::option::Option::<#alias>::None),
        }
    });
    let extra_consts = extra_consts(plan);
    let data_null = plan.data().map(|data| {
        let column = data.column();
        quote! {
            Column::#column => ::core::convert::Into::into(::core::option::Option::<ActionJson>::None),
        }
    });
    let extras = extras(plan);
    let notify = notify(plan);
    quote! {
        #extras

        #[automatically_derived]
        impl #private::ActionEntity for Entity {
            #verb_type
            type Loaded = Loaded;
            const ID: Column = Column::#id;
            const VERB: Column = Column::#verb;
            const DESCRIPTION: Column = Column::#description;
            const TIMESTAMP: Column = Column::#timestamp;
            const GET_OR_CREATE_KEY: Column = Column::#key;
            #extra_consts
            #notify

            fn role_columns(role: #private::Role) -> &'static [Column] {
                match role {
                    #(#role_column_arms)*
                }
            }

            fn null_value(column: Column) -> sea_orm::Value {
                match column {
                    #(#null_arms)*
                    #data_null
                    _ => sea_orm::Value::from(::core::option::Option::<::std::string::String>::None),
                }
            }

            fn join_roles(select: sea_orm::Select<Self>) -> sea_orm::Select<Self> {
                join_roles(select, false)
            }

            fn __join_roles_for_page(select: sea_orm::Select<Self>) -> sea_orm::Select<Self> {
                join_roles(select, true)
            }

            fn __decode_page_row(
                row: &sea_orm::QueryResult,
            ) -> ::core::result::Result<Loaded, sea_orm::DbErr> {
                decode_page_row(row)
            }

            fn signal() -> &'static #private::Signal<Self> {
                static SIGNAL: #private::Signal<Entity> = #private::Signal::new();
                &SIGNAL
            }

            fn action_id(action: &Model) -> i64 {
                action.id
            }
        }
    }
}

/// The columns of the `public` and `data` keys, for the runtime.
fn extra_consts(plan: &Plan) -> TokenStream {
    let public = plan.public().then(|| {
        quote! { const __PUBLIC: ::core::option::Option<Column> = ::core::option::Option::Some(Column::Public); }
    });
    let data = plan.data().map(|data| {
        let column = data.column();
        quote! { const __DATA: ::core::option::Option<Column> = ::core::option::Option::Some(Column::#column); }
    });
    quote! { #public #data }
}

/// `PublicActions` for a table with `public = true`; `ActionData` and `Model::data()` for
/// one with `data = ..`.
fn extras(plan: &Plan) -> TokenStream {
    let private = &plan.private;
    let public = plan.public().then(|| {
        quote! {
            #[automatically_derived]
            impl #private::PublicActions for Entity {
                const PUBLIC: Column = Column::Public;
            }
        }
    });
    let data = plan.data().map(|_| {
        let krate = crate::attr::path_text(&plan.input.krate);
        let fails = format!(
            "[`StreamError::InvalidData`]({krate}::StreamError::InvalidData) when the stored JSON does not fit `ActionData` (a row written before the type changed, or by hand): an error for this action alone, so the page it is on still loads."
        );
        quote! {
            #[automatically_derived]
            impl #private::ActionData for Entity {
                type Data = ActionData;
            }

            impl Model {
                /// The action's data, read as [`ActionData`]: `Ok(None)` when none was
                /// stored, and
                #[doc = #fails]
                pub fn data(&self) -> ::core::result::Result<::core::option::Option<ActionData>, #private::StreamError> {
                    #private::decode_data(self.id, self.data.as_ref())
                }
            }
        }
    });
    quote! { #public #data }
}

/// With `notify = path`: the rules of that notification table deliver every action. A table
/// without `NotificationRules` for this entity is reported on the path the user wrote.
fn notify(plan: &Plan) -> TokenStream {
    let private = &plan.private;
    let Some(path) = &plan.input.notify else {
        return TokenStream::new();
    };
    let module = crate::relay::from_child(path);
    let rules = quote_spanned! {name_span(path)=>
        #private::notification_rules::<#module::Entity, Entity>(action)
    };
    quote! {
        const __NOTIFIES: bool = true;

        fn __notification_rules(
            action: &Model,
        ) -> ::std::vec::Vec<#private::NotificationDelivery> {
            #rules
        }
    }
}
