//! `action_entity!`: declare the action table from the model modules.
//!
//! The first pass checks the input and starts the relay (see `relay`); the last pass, with
//! every model's roles known, checks them against each other (`valid`) and emits the module
//! from one generator per group of items.

mod columns;
mod entity;
mod hydration;
mod loaded;
mod relations;
mod roles;
mod valid;

use crate::attr::{Errors, upper_camel};
use crate::input::{
    CRATE, DATA, EntityInput, Key, MODELS, NOTIFY, PUBLIC, SET_NULL, TABLE_NAME, VERB,
    check_model_modules,
};
use crate::relay::{self, ModelInfo, Step, from_child};
use crate::role::{ROLES, Role};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{
    Attribute, Ident, LitBool, LitStr, Path, Type, Visibility,
    parse::{Parse, ParseStream},
};

const KEYS: &[Key] = &[
    TABLE_NAME, VERB, MODELS, SET_NULL, DATA, PUBLIC, NOTIFY, CRATE,
];

/// What the user wrote.
pub struct ActionInput {
    attrs: Vec<Attribute>,
    vis: Visibility,
    ident: Ident,
    krate: Path,
    table_name: LitStr,
    verb: Path,
    models: Vec<Path>,
    /// Optional roles whose columns are set to NULL, not cascaded, when the object is deleted.
    set_null: Vec<Ident>,
    /// `data = Type`: a JSON column holding a `Type` per action.
    data: Option<Type>,
    /// `public = true`: a `public` flag per action (the literal, for its span).
    public: Option<LitBool>,
    /// `notify = path::to::notification`: deliver every action by that table's rules.
    notify: Option<Path>,
}

impl Parse for ActionInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut errors = Errors::default();
        let EntityInput {
            attrs,
            vis,
            ident,
            mut entries,
        } = EntityInput::parse(
            input,
            "action_entity",
            KEYS,
            "pub mod action { table_name = \"stream_action\", verb = crate::Verb, models = [crate::user] }",
            &mut errors,
        )?;
        let table_name = entries.take_str(TABLE_NAME, &mut errors);
        let verb = entries.take_path(VERB, &mut errors);
        let models = entries.take_list(
            MODELS,
            "the modules of the models that take part in actions",
            &mut errors,
        );
        check_model_modules(MODELS, models.iter().flatten(), &mut errors);
        let set_null = entries.take_idents(SET_NULL);
        for role in &set_null {
            check_set_null(role, &mut errors);
        }
        let data = entries.take_type(DATA);
        let public = entries.take_bool(PUBLIC);
        if let Some(flag) = public.as_ref().filter(|flag| !flag.value) {
            errors.push(syn::Error::new_spanned(
                flag,
                "`public = false` is not a setting: leave `public` out for a table without a `public` column, or write `public = true` to give every action a public flag (true unless sent with `.private()`)",
            ));
        }
        let notify = entries.take_optional_path(NOTIFY);
        let krate = entries.take_crate();
        errors.finish()?;
        Ok(ActionInput {
            attrs,
            vis,
            ident,
            krate,
            table_name: table_name.expect("a missing key is an error"),
            verb: verb.expect("a missing key is an error"),
            models: models.expect("a missing key is an error"),
            set_null,
            data,
            public,
            notify,
        })
    }
}

fn check_set_null(role: &Ident, errors: &mut Errors) {
    let message = match Role::named(&role.to_string()) {
        Some(role) if !role.required => return,
        Some(_) => {
            "every action has an actor, so deleting it deletes its actions; only `target` and `action_object` can be `set_null`".to_owned()
        }
        None => format!(
            "unknown role `{role}`; `set_null` takes `target` and/or `action_object`"
        ),
    };
    errors.push(syn::Error::new_spanned(role, message));
}

impl ActionInput {
    /// The user's input, re-emitted for the next pass.
    fn to_state(&self) -> TokenStream {
        let ActionInput {
            attrs,
            vis,
            ident,
            krate,
            table_name,
            verb,
            models,
            set_null,
            data,
            public,
            notify,
        } = self;
        let data = data.as_ref().map(|data| quote! { data = #data, });
        let public = public.as_ref().map(|public| quote! { public = #public, });
        let notify = notify.as_ref().map(|notify| quote! { notify = #notify, });
        quote! {
            #(#attrs)* #vis mod #ident {
                table_name = #table_name,
                verb = #verb,
                models = [#(#models),*],
                set_null = [#(#set_null),*],
                #data
                #public
                #notify
                crate = #krate,
            }
        }
    }
}

/// The first pass: check the input, then ask the first model for its roles.
pub fn expand(tokens: TokenStream) -> syn::Result<TokenStream> {
    let input: ActionInput = syn::parse2(tokens)?;
    let ActionInput {
        attrs, vis, ident, ..
    } = &input;
    let named: Vec<&Path> = std::iter::once(&input.verb)
        .chain(input.notify.as_ref())
        .collect();
    let entity = relay::first_pass(
        (attrs, vis, ident),
        &input.models,
        &named,
        &input.krate,
        &input.to_state(),
    );
    // The data type, named where the user wrote it (a relative path, `String` or
    // `Vec<Rating>` means what it means there); the module names it through this alias.
    let data = input.data.as_ref().map(|ty| {
        let alias = data_alias(ident);
        quote! {
            #[doc(hidden)]
            #[allow(non_camel_case_types)]
            type #alias = #ty;
        }
    });
    Ok(quote! { #entity #data })
}

/// The alias of the `data` type next to the module `ident`.
fn data_alias(ident: &Ident) -> Ident {
    format_ident!("__stream_data_of_{}", ident)
}

/// A step of the relay: ask the next model, or emit the entity.
pub fn step(step: Step) -> syn::Result<TokenStream> {
    let input: ActionInput = syn::parse2(step.state.clone())?;
    step.advance(&input.models, &input.krate, input.ident.span(), |infos| {
        emit(&input, infos)
    })
}

/// One registered model, with the names of its generated items.
pub struct Registered<'a> {
    /// The module, as seen from inside the generated one.
    path: TokenStream,
    info: &'a ModelInfo,
    /// `User`: enum variants and the column suffix in CamelCase.
    variant: Ident,
    /// `UserPk`: the alias of its primary-key type.
    pk_alias: Ident,
}

impl Registered<'_> {
    /// The model struct, as seen from inside the generated module.
    fn model(&self) -> TokenStream {
        let (path, model) = (&self.path, &self.info.model);
        quote! { #path::#model }
    }

    fn plays(&self, role: &Role) -> bool {
        self.info.roles.iter().any(|r| r == role.name)
    }
}

/// One generated role column: `role` of `model`, at `position` in `Model` and in a row.
pub struct Slot<'a> {
    role: &'static Role,
    model: &'a Registered<'a>,
    /// `target_post`: the field, and the alias of its join.
    field: Ident,
    /// `TargetPost`: the `Column` and `Relation` variant.
    column: Ident,
    position: usize,
}

/// Everything the generators read: the input, the models and the role columns in order.
pub struct Plan<'a> {
    input: &'a ActionInput,
    /// `<crate>::__private`, where generated code finds everything of the runtime.
    private: TokenStream,
    models: &'a [Registered<'a>],
    /// Role by role, then model by model: the order of the generated fields.
    slots: Vec<Slot<'a>>,
    /// The columns of the `public` and `data` keys, after the slots.
    extras: Vec<columns::Extra<'a>>,
}

impl<'a> Plan<'a> {
    fn new(input: &'a ActionInput, models: &'a [Registered<'a>]) -> Self {
        let krate = &input.krate;
        let mut slots = Vec::new();
        for role in ROLES {
            for model in models.iter().filter(|m| m.plays(role)) {
                let field = format_ident!("{}_{}", role.name, model.info.name);
                slots.push(Slot {
                    role,
                    model,
                    column: format_ident!("{}", upper_camel(&field.to_string())),
                    field,
                    position: columns::FIXED.len() + slots.len(),
                });
            }
        }
        let public = input.public.as_ref().map(|_| columns::Extra::Public);
        let data = input.data.as_ref().map(columns::Extra::Data);
        Plan {
            input,
            private: quote! { #krate::__private },
            models,
            slots,
            extras: public.into_iter().chain(data).collect(),
        }
    }

    /// The `data` column, when the table has one.
    fn data(&self) -> Option<columns::Extra<'a>> {
        self.extras
            .iter()
            .copied()
            .find(|extra| matches!(extra, columns::Extra::Data(_)))
    }

    /// Whether the table has a `public` column.
    fn public(&self) -> bool {
        self.input.public.is_some()
    }

    /// Where the extra column `k` is in `Model` and in a row.
    fn extra_position(&self, k: usize) -> usize {
        columns::FIXED.len() + self.slots.len() + k
    }

    fn slots_of(&self, role: &'a Role) -> impl Iterator<Item = &Slot<'a>> {
        self.slots.iter().filter(move |slot| slot.role == role)
    }
}

fn register<'a>(input: &ActionInput, infos: &'a [ModelInfo]) -> Vec<Registered<'a>> {
    input
        .models
        .iter()
        .zip(infos)
        .map(|(path, info)| {
            let variant = format_ident!("{}", upper_camel(&info.name));
            Registered {
                path: from_child(path),
                info,
                pk_alias: format_ident!("{variant}Pk"),
                variant,
            }
        })
        .collect()
}

/// The last pass: every model has answered.
fn emit(input: &ActionInput, infos: &[ModelInfo]) -> syn::Result<TokenStream> {
    let models = register(input, infos);
    valid::check(input, &models)?;
    let plan = Plan::new(input, &models);
    let private = &plan.private;
    let columns = columns::generate(&plan);
    let relations = relations::generate(&plan);
    let roles = roles::generate(&plan);
    let hydration = hydration::generate(&plan);
    let loaded = loaded::generate(&plan);
    let entity = entity::generate(&plan);
    // The items of the module the first pass declared.
    Ok(quote! {
        use #private::sea_orm;
        // sea-orm's derives name these items unqualified.
        #[allow(unused_imports)]
        use sea_orm::entity::prelude::*;

        #columns
        #relations
        #roles
        #hydration
        #loaded
        #entity
    })
}
