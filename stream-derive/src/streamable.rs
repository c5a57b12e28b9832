//! `#[derive(Streamable)]`: parse the model and its `#[stream(..)]` roles, then emit the
//! `Streamable` impl and the hidden callback macro that hands the roles to `action_entity!`.

use crate::attr::{Errors, SeaOrmAttr, is_snake_identifier, upper_camel};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::{Data, DeriveInput, Field, Fields, Ident, LitStr, spanned::Spanned};

/// The roles a model may play, as written in `#[stream(..)]`.
#[derive(Default)]
struct Roles {
    actor: Option<Span>,
    target: Option<Span>,
    action_object: Option<Span>,
}

/// A model, as the derive understands it.
struct Model<'a> {
    ident: &'a Ident,
    /// Column suffix: `name = ".."` or the table name.
    name: String,
    pk: &'a Field,
    /// The sea-orm `Column` variant of the primary key.
    pk_column: Ident,
    roles: Roles,
}

pub fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let model = parse(input)?;
    Ok(emit(&model))
}

fn parse(input: &DeriveInput) -> syn::Result<Model<'_>> {
    let mut errors = Errors::default();

    let fields = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(fields) => &fields.named,
            _ => {
                return Err(syn::Error::new_spanned(
                    &input.ident,
                    "`#[derive(Streamable)]` expects a sea-orm `Model` struct with named fields",
                ));
            }
        },
        _ => {
            return Err(syn::Error::new_spanned(
                &input.ident,
                "`#[derive(Streamable)]` goes on a sea-orm `Model` struct, not on an enum or union",
            ));
        }
    };

    let sea_orm = SeaOrmAttr::parse(&input.attrs)?;
    let table = sea_orm.value("table_name").map(LitStr::value);

    let (roles, name_override) = parse_stream_attr(input, &mut errors);

    let name = match (name_override, &table) {
        (Some(name), _) => {
            if !is_snake_identifier(&name.value()) {
                errors.push(syn::Error::new_spanned(
                    &name,
                    "`name` must be lowercase letters, digits and `_`, because it names columns such as `actor_<name>`",
                ));
            }
            name.value()
        }
        (None, Some(table)) => {
            if !is_snake_identifier(table) {
                errors.push(syn::Error::new_spanned(
                    &input.ident,
                    format!(
                        "the table name `{table}` cannot name columns such as `actor_{table}`; add `#[stream(name = \"...\")]` with lowercase letters, digits and `_`"
                    ),
                ));
            }
            table.clone()
        }
        (None, None) => {
            errors.push(syn::Error::new_spanned(
                &input.ident,
                "`#[derive(Streamable)]` goes on a sea-orm model with `#[sea_orm(table_name = \"...\")]`; none was found",
            ));
            String::new()
        }
    };

    let mut primary_keys = Vec::new();
    for field in fields {
        let attr = SeaOrmAttr::parse(&field.attrs)?;
        if attr.has_flag("primary_key") {
            let column = attr
                .value("enum_name")
                .map(LitStr::value)
                .unwrap_or_else(|| {
                    upper_camel(
                        &field
                            .ident
                            .as_ref()
                            .map(ToString::to_string)
                            .unwrap_or_default(),
                    )
                });
            primary_keys.push((field, column));
        }
    }
    let pk = match primary_keys.len() {
        0 => {
            errors.push(syn::Error::new_spanned(
                &input.ident,
                format!(
                    "`{}` has no primary key; actions reference models by primary key, so mark one field `#[sea_orm(primary_key)]`",
                    input.ident
                ),
            ));
            None
        }
        1 => primary_keys.pop(),
        _ => {
            errors.push(syn::Error::new_spanned(
                primary_keys[1].0.ident.as_ref().unwrap_or(&input.ident),
                "models with a composite primary key cannot take part in streams; give the model a single-column primary key",
            ));
            None
        }
    };

    errors.finish()?;
    let (pk, pk_column) = pk.expect("checked above");
    Ok(Model {
        ident: &input.ident,
        name,
        pk,
        pk_column: Ident::new(&pk_column, pk.span()),
        roles,
    })
}

fn parse_stream_attr(input: &DeriveInput, errors: &mut Errors) -> (Roles, Option<LitStr>) {
    let mut roles = Roles::default();
    let mut name: Option<LitStr> = None;
    let mut seen_attr = false;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("stream")) {
        seen_attr = true;
        let result = attr.parse_nested_meta(|meta| {
            let slot = if meta.path.is_ident("actor") {
                &mut roles.actor
            } else if meta.path.is_ident("target") {
                &mut roles.target
            } else if meta.path.is_ident("action_object") {
                &mut roles.action_object
            } else if meta.path.is_ident("name") {
                let value: LitStr = meta.value()?.parse()?;
                if name.is_some() {
                    errors.push(meta.error("duplicate `name` in `#[stream(..)]`; give it once"));
                }
                name = Some(value);
                return Ok(());
            } else {
                let key = meta
                    .path
                    .get_ident()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                errors.push(meta.error(format!(
                    "unknown key `{key}` in `#[stream(..)]`; expected `actor`, `target`, `action_object` or `name = \"...\"`"
                )));
                crate::attr::skip_value(&meta)?;
                return Ok(());
            };
            if meta.input.peek(syn::Token![=]) || meta.input.peek(syn::token::Paren) {
                let role = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
                errors.push(meta.error(format!("`{role}` is a flag and takes no value; write `#[stream({role})]`")));
                crate::attr::skip_value(&meta)?;
            }
            if slot.is_some() {
                let role = meta.path.get_ident().map(ToString::to_string).unwrap_or_default();
                errors.push(meta.error(format!("duplicate role `{role}` in `#[stream(..)]`; list each role once")));
            }
            *slot = Some(meta.path.span());
            Ok(())
        });
        if let Err(error) = result {
            errors.push(error);
        }
    }
    if !seen_attr {
        errors.push(syn::Error::new_spanned(
            &input.ident,
            "`#[derive(Streamable)]` needs the roles this model plays, e.g. `#[stream(actor, target, action_object)]`",
        ));
    } else if roles.actor.is_none() && roles.target.is_none() && roles.action_object.is_none() {
        errors.push(syn::Error::new_spanned(
            &input.ident,
            "`#[stream(..)]` lists no role; add at least one of `actor`, `target`, `action_object`",
        ));
    }
    (roles, name)
}

fn emit(model: &Model) -> TokenStream {
    let ident = model.ident;
    let name = &model.name;
    let pk_ident = model.pk.ident.as_ref().expect("named field");
    let pk_ty = &model.pk.ty;
    let pk_column = &model.pk_column;
    let mut roles = Vec::new();
    if model.roles.actor.is_some() {
        roles.push(format_ident!("actor"));
    }
    if model.roles.target.is_some() {
        roles.push(format_ident!("target"));
    }
    if model.roles.action_object.is_some() {
        roles.push(format_ident!("action_object"));
    }
    let model_ident = ident.to_string();

    quote! {
        #[automatically_derived]
        impl ::stream_core::Streamable for #ident {
            const STREAM_NAME: &'static str = #name;
            type Pk = #pk_ty;
            fn stream_pk(&self) -> Self::Pk {
                ::core::clone::Clone::clone(&self.#pk_ident)
            }
        }

        /// Hands this model's roles to `stream_core::action_entity!`.
        #[doc(hidden)]
        macro_rules! __stream_model {
            ($($state:tt)*) => {
                ::stream_core::action_entity! {
                    @model { name = #name, model = #model_ident, pk_column = #pk_column, roles = [#(#roles),*] }
                    $($state)*
                }
            };
        }
        #[doc(hidden)]
        #[allow(unused_imports)]
        pub(crate) use __stream_model;
    }
}
