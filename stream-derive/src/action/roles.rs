//! The roles: `ActorId`/`ActorModel` (and `Target..`, `ActionObject..`), the role traits for
//! the models and the enums, `Involved`, and the getters and setters on `Model` and
//! `ActiveModel`.

use super::{Plan, Slot};
use crate::role::{ROLES, Role};
use proc_macro2::TokenStream;
use quote::quote;

pub fn generate(plan: &Plan) -> TokenStream {
    let per_role = ROLES.map(|role| {
        let slots: Vec<&Slot> = plan.slots_of(role).collect();
        if slots.is_empty() {
            return empty_role(role);
        }
        let enums = enums(plan, role, &slots);
        let getters = getters(plan, role, &slots);
        let setters = setters(plan, role);
        quote! {
            #enums
            impl Model { #getters }
            impl ActiveModel { #setters }
        }
    });
    let model_impls = plan.slots.iter().map(|slot| model_role_impl(plan, slot));
    let involved = involved(plan);
    quote! {
        #(#per_role)*
        #(#model_impls)*
        #involved
    }
}

/// The model enum of a role no registered model can play: it has no values, and `Loaded`
/// holds `None` of it.
fn empty_role(role: &Role) -> TokenStream {
    let model_enum = role.model_enum();
    let doc = format!(
        "No registered model can be the {}; this enum has no values.",
        role.words
    );
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug, PartialEq)]
        pub enum #model_enum {}

        #[automatically_derived]
        impl ::core::fmt::Display for #model_enum {
            fn fmt(&self, _: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match *self {}
            }
        }
    }
}

/// `impl Actor<Entity> for user::Model`: the model's column in the role.
fn model_role_impl(plan: &Plan, slot: &Slot) -> TokenStream {
    let private = &plan.private;
    let (role_trait, as_role) = (slot.role.variant(), slot.role.as_fn());
    let (model, column) = (slot.model.model(), &slot.column);
    quote! {
        #[automatically_derived]
        impl #private::#role_trait<Entity> for #model {
            fn #as_role(&self) -> #private::RoleRef<Entity> {
                #private::role_ref(
                    Column::#column,
                    ::core::convert::Into::into(#private::Streamable::stream_pk(self)),
                )
            }
        }
    }
}

/// The id and model enums of a role, their role-trait impls and the model enum's `Display`.
fn enums(plan: &Plan, role: &Role, slots: &[&Slot]) -> TokenStream {
    let private = &plan.private;
    let (id_enum, model_enum) = (role.id_enum(), role.model_enum());
    let (role_trait, as_role) = (role.variant(), role.as_fn());
    let mut id_variants = Vec::new();
    let mut model_variants = Vec::new();
    let mut id_refs = Vec::new();
    let mut model_refs = Vec::new();
    let mut displays = Vec::new();
    for slot in slots {
        let (variant, alias, model) = (
            &slot.model.variant,
            &slot.model.pk_alias,
            slot.model.model(),
        );
        let (column, doc) = (&slot.column, format!("A `{}`.", slot.model.info.name));
        id_variants.push(quote! { #[doc = #doc] #variant(#alias), });
        model_variants.push(quote! { #[doc = #doc] #variant(#model), });
        id_refs.push(quote! {
            #id_enum::#variant(key) => #private::role_ref(
                Column::#column,
                ::core::convert::Into::into(::core::clone::Clone::clone(key)),
            ),
        });
        model_refs.push(quote! {
            #model_enum::#variant(model) => #private::#role_trait::<Entity>::#as_role(model),
        });
        displays.push(quote! {
            #model_enum::#variant(model) => #private::Streamable::fmt_display(model, f),
        });
    }
    let id_doc = format!(
        "The primary key of an action's {}, tagged with its model.",
        role.words
    );
    let model_doc = format!("An action's {}, loaded.", role.words);
    quote! {
        #[doc = #id_doc]
        #[derive(Clone, Debug, PartialEq)]
        pub enum #id_enum { #(#id_variants)* }

        #[doc = #model_doc]
        #[derive(Clone, Debug, PartialEq)]
        pub enum #model_enum { #(#model_variants)* }

        #[automatically_derived]
        impl #private::#role_trait<Entity> for #id_enum {
            fn #as_role(&self) -> #private::RoleRef<Entity> {
                match self { #(#id_refs)* }
            }
        }

        #[automatically_derived]
        impl #private::#role_trait<Entity> for #model_enum {
            fn #as_role(&self) -> #private::RoleRef<Entity> {
                match self { #(#model_refs)* }
            }
        }

        /// Shows the model as its `#[stream(display ..)]` says.
        #[automatically_derived]
        impl ::core::fmt::Display for #model_enum {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self { #(#displays)* }
            }
        }
    }
}

/// `Model::actor_id()`, without a query, and `Model::actor(&db)`, which loads the model.
fn getters(plan: &Plan, role: &Role, slots: &[&Slot]) -> TokenStream {
    let private = &plan.private;
    let (id_enum, model_enum, role_variant) = (role.id_enum(), role.model_enum(), role.variant());
    let (id_fn, fetch_fn) = (role.id_fn(), role.ident());
    let id_arms = slots.iter().map(|slot| {
        let (field, variant) = (&slot.field, &slot.model.variant);
        quote! {
            if let ::core::option::Option::Some(key) = &self.#field {
                return ::core::option::Option::Some(#id_enum::#variant(::core::clone::Clone::clone(key)));
            }
        }
    });
    let fetch_arms = slots.iter().map(|slot| {
        let (path, variant) = (&slot.model.path, &slot.model.variant);
        quote! {
            #id_enum::#variant(key) => {
                <#path::Entity as sea_orm::EntityTrait>::find_by_id(::core::clone::Clone::clone(key)).one(db).await?.map(#model_enum::#variant)
            }
        }
    });
    let id_doc = format!(
        "The {}'s model and primary key, without a query.",
        role.words
    );
    let fetch_doc = format!("Load the {}.", role.words);
    let missing = quote! { #private::missing_role(self.id, #private::Role::#role_variant) };
    let fetch = if role.required {
        let krate = crate::attr::path_text(&plan.input.krate);
        let fails = format!(
            "Fails with [`StreamError::MissingRole`]({krate}::StreamError::MissingRole) when the action has no {} or its row is gone.",
            role.words
        );
        quote! {
            #[doc = #fetch_doc]
            ///
            #[doc = #fails]
            pub async fn #fetch_fn<C: sea_orm::ConnectionTrait>(
                &self,
                db: &C,
            ) -> ::core::result::Result<#model_enum, #private::StreamError> {
                let missing = || #missing;
                let key = self.#id_fn().ok_or_else(missing)?;
                let found = match &key { #(#fetch_arms)* };
                found.ok_or_else(missing)
            }
        }
    } else {
        quote! {
            #[doc = #fetch_doc]
            ///
            /// `Ok(None)` when the role is empty; `StreamError::MissingRole` when its row is gone.
            pub async fn #fetch_fn<C: sea_orm::ConnectionTrait>(
                &self,
                db: &C,
            ) -> ::core::result::Result<::core::option::Option<#model_enum>, #private::StreamError> {
                let ::core::option::Option::Some(key) = self.#id_fn() else {
                    return ::core::result::Result::Ok(::core::option::Option::None);
                };
                let found = match &key { #(#fetch_arms)* };
                match found {
                    ::core::option::Option::Some(found) => ::core::result::Result::Ok(::core::option::Option::Some(found)),
                    ::core::option::Option::None => ::core::result::Result::Err(#missing),
                }
            }
        }
    };
    quote! {
        #[doc = #id_doc]
        pub fn #id_fn(&self) -> ::core::option::Option<#id_enum> {
            #(#id_arms)*
            ::core::option::Option::None
        }

        #fetch
    }
}

/// `ActiveModel::set_actor(..)`, and `clear_target()` for the optional roles.
fn setters(plan: &Plan, role: &Role) -> TokenStream {
    let private = &plan.private;
    let (role_trait, as_role, role_variant) = (role.variant(), role.as_fn(), role.variant());
    let (set_fn, object) = (role.set_fn(), role.ident());
    let set_doc = format!(
        "Make `{}` the {}: its column is set and the role's other columns are cleared. Save with `update`.",
        role.name, role.words
    );
    let clear = (!role.required).then(|| {
        let clear_fn = role.clear_fn();
        let clear_doc = format!(
            "Leave the action without a {}. Save with `update`.",
            role.words
        );
        quote! {
            #[doc = #clear_doc]
            pub fn #clear_fn(&mut self) {
                #private::set_role::<Entity>(self, #private::Role::#role_variant, ::core::option::Option::None);
            }
        }
    });
    quote! {
        #[doc = #set_doc]
        pub fn #set_fn(&mut self, #object: &impl #private::#role_trait<Entity>) {
            #private::set_role::<Entity>(
                self,
                #private::Role::#role_variant,
                ::core::option::Option::Some(#private::#role_trait::<Entity>::#as_role(#object)),
            );
        }
        #clear
    }
}

/// `Involved` for each model: every column it appears in, for the any-role and model streams.
fn involved(plan: &Plan) -> TokenStream {
    let private = &plan.private;
    let impls = plan.models.iter().map(|model| {
        let slots: Vec<&Slot> = plan
            .slots
            .iter()
            .filter(|slot| std::ptr::eq(slot.model, model))
            .collect();
        let columns = slots.iter().map(|slot| &slot.column);
        let role_arms = slots.iter().map(|slot| {
            let (role, column) = (slot.role.variant(), &slot.column);
            quote! { #private::Role::#role => ::core::option::Option::Some(Column::#column), }
        });
        let path = model.model();
        quote! {
            #[automatically_derived]
            impl #private::Involved<Entity> for #path {
                fn involved_columns() -> &'static [Column] {
                    &[#(Column::#columns),*]
                }
                fn role_column(role: #private::Role) -> ::core::option::Option<Column> {
                    #[allow(unreachable_patterns)]
                    match role {
                        #(#role_arms)*
                        _ => ::core::option::Option::None,
                    }
                }
                fn involved_key(&self) -> sea_orm::Value {
                    ::core::convert::Into::into(#private::Streamable::stream_pk(self))
                }
            }
        }
    });
    quote! { #(#impls)* }
}
