//! `#[derive(Streamable)]`: parse the model and its `#[stream(..)]` roles, then emit the
//! `Streamable` impl and the hidden callback macro that hands the roles to `action_entity!`.

use crate::as2::{As2Attr, As2Model};
use crate::attr::{Errors, SeaOrmAttr, crate_path, is_snake_identifier, upper_camel};
use crate::input::default_crate;
use crate::relay;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::{
    Data, DeriveInput, Field, Fields, Ident, LitStr, Path, Token, Type, punctuated::Punctuated,
    spanned::Spanned,
};

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
    /// `#[stream(crate = ..)]`: where generated code finds `__private`.
    krate: Path,
    /// Column suffix: `name = ".."` or the table name.
    name: String,
    pk: &'a Field,
    /// The sea-orm `Column` variant of the primary key.
    pk_column: Ident,
    roles: Roles,
    display: Option<Display>,
    /// Every field, in order, with its `Column` variant if it is a column (sea-orm's
    /// `ignore`d fields and relation fields are not).
    fields: Vec<(&'a Field, Option<Ident>)>,
    /// `#[stream(as2(..))]`, checked.
    as2: As2Model,
}

/// How the model shows itself in rendered actions: `#[stream(display = "field")]` or
/// `#[stream(display)]`.
enum Display {
    /// The `Display` of one of its fields.
    Field(Ident),
    /// Its own `Display` impl.
    Own,
}

/// `export` is the name the relay macro is exported under (see `relay::export_name`).
pub fn expand(input: &DeriveInput, export: &Ident) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    let parsed = parse(input, &mut errors)?;
    match (parsed.model, errors.finish()) {
        (Some(model), Ok(())) => Ok(emit(&model, export)),
        // The model is understood but something in `#[stream(..)]` is not (a misspelt role,
        // say): hand it on in every role, so that the action entity is generated and every
        // use of the model in a role compiles; the error above is the only one.
        (Some(mut model), Err(error)) => {
            let span = model.ident.span();
            model.roles = Roles {
                actor: Some(span),
                target: Some(span),
                action_object: Some(span),
            };
            let error = error.into_compile_error();
            let code = emit(&model, export);
            Ok(quote! { #error #code })
        }
        // Next to an error, a stub: without an impl and a relay macro, `action_entity!` would
        // add "not `Streamable`" and "cannot find" errors about a model that does derive
        // `Streamable`, or checks of roles the derive could not read.
        (_, result) => {
            let error = result.err().unwrap_or_else(|| {
                syn::Error::new_spanned(
                    &input.ident,
                    "`#[derive(Streamable)]` found no primary key",
                )
            });
            Ok(crate::fallback::streamable(
                input,
                &parsed.krate,
                parsed.pk,
                error,
                export,
            ))
        }
    }
}

/// What the derive could read: the model, unless its primary key is unknown, and what a stub
/// needs when it is.
struct Parsed<'a> {
    model: Option<Model<'a>>,
    krate: Path,
    /// The type of the first primary-key field, if any.
    pk: Option<&'a Type>,
}

/// The model, unless its primary key is unknown; every mistake found goes to `errors`.
fn parse<'a>(input: &'a DeriveInput, errors: &mut Errors) -> syn::Result<Parsed<'a>> {
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

    let StreamAttr {
        roles,
        name: name_override,
        display,
        krate,
        as2,
    } = parse_stream_attr(input, errors);
    let display = display.and_then(|display| display_of(input, fields, display, errors));
    let as2 = As2Model::new(&input.ident, as2, fields, errors);
    let name = column_suffix(input, &sea_orm, name_override, errors);

    let mut primary_keys = Vec::new();
    let mut columns = Vec::new();
    for field in fields {
        let attr = SeaOrmAttr::parse(&field.attrs)?;
        let column = column_variant(field, &attr);
        if attr.has_flag("primary_key") {
            primary_keys.push((
                field,
                column.clone().unwrap_or_else(|| field_variant(field)),
            ));
        }
        columns.push((field, column));
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

    let Some((pk, pk_column)) = pk else {
        return Ok(Parsed {
            model: None,
            pk: primary_keys.first().map(|(field, _)| &field.ty),
            krate,
        });
    };
    Ok(Parsed {
        pk: Some(&pk.ty),
        krate: krate.clone(),
        model: Some(Model {
            ident: &input.ident,
            krate,
            name,
            pk,
            pk_column,
            roles,
            display,
            fields: columns,
            as2,
        }),
    })
}

/// How the model shows itself, from `display` as written; `None` (after an error) when the
/// field it names does not exist.
fn display_of(
    input: &DeriveInput,
    fields: &Punctuated<Field, Token![,]>,
    display: Option<LitStr>,
    errors: &mut Errors,
) -> Option<Display> {
    match display {
        None => Some(Display::Own),
        Some(field) => {
            let found = fields
                .iter()
                .filter_map(|f| f.ident.as_ref())
                .find(|ident| **ident == field.value());
            match found {
                Some(ident) => {
                    let mut ident = ident.clone();
                    ident.set_span(field.span());
                    Some(Display::Field(ident))
                }
                None => {
                    errors.push(syn::Error::new_spanned(
                        &field,
                        format!(
                            "`{}` has no field `{}`; `display` names the field that shows the model in rendered actions",
                            input.ident,
                            field.value()
                        ),
                    ));
                    None
                }
            }
        }
    }
}

/// The column suffix: `#[stream(name = "..")]`, or the table name. An invalid one is
/// reported and repaired, so that expansion goes on.
fn column_suffix(
    input: &DeriveInput,
    sea_orm: &SeaOrmAttr,
    name_override: Option<LitStr>,
    errors: &mut Errors,
) -> String {
    let table = sea_orm.value("table_name").map(LitStr::value);
    match (name_override, &table) {
        (Some(name), _) => {
            if !is_snake_identifier(&name.value()) {
                errors.push(syn::Error::new_spanned(
                    &name,
                    "`name` must be a lowercase letter followed by lowercase letters, digits and `_`, because it names columns such as `actor_<name>`",
                ));
                repaired_name(&name.value())
            } else {
                name.value()
            }
        }
        (None, Some(table)) => {
            if !is_snake_identifier(table) {
                errors.push(syn::Error::new(
                    sea_orm
                        .value("table_name")
                        .map_or_else(|| input.ident.span(), LitStr::span),
                    format!(
                        "the table name `{table}` cannot name columns such as `actor_{table}`; add `#[stream(name = \"...\")]`: a lowercase letter followed by lowercase letters, digits and `_`"
                    ),
                ));
                repaired_name(table)
            } else {
                table.clone()
            }
        }
        (None, None) => {
            errors.push(syn::Error::new_spanned(
                &input.ident,
                "`#[derive(Streamable)]` goes on a sea-orm model with `#[sea_orm(table_name = \"...\")]`; none was found",
            ));
            repaired_name(&input.ident.to_string())
        }
    }
}

/// The `Column` variant sea-orm's `DeriveEntityModel` gives `field`: `enum_name = ".."` or the
/// field name in UpperCamelCase; `None` for a field that is no column (`#[sea_orm(ignore)]`,
/// or a relation such as `HasMany<..>`).
fn column_variant(field: &Field, attr: &SeaOrmAttr) -> Option<Ident> {
    if attr.has_flag("ignore") {
        return None;
    }
    if let syn::Type::Path(path) = &field.ty
        && path.path.segments.last().is_some_and(|segment| {
            matches!(
                segment.ident.to_string().as_str(),
                "BelongsTo" | "HasOne" | "HasMany"
            )
        })
    {
        return None;
    }
    Some(match attr.value("enum_name") {
        Some(name) => Ident::new(&name.value(), name.span()),
        None => field_variant(field),
    })
}

/// Whether `ty` is written as a primitive integer type (`i32`, `u64`, ..): keys of these types
/// compare exactly on every backend.
fn integer_type(ty: &syn::Type) -> bool {
    let syn::Type::Path(path) = ty else {
        return false;
    };
    path.qself.is_none()
        && path.path.get_ident().is_some_and(|ident| {
            matches!(
                ident.to_string().as_str(),
                "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64"
            )
        })
}

/// `T` of a field written `Option<T>` (any path ending in `Option`).
fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let segment = path.path.segments.last()?;
    if segment.ident != "Option" {
        return None;
    }
    match &segment.arguments {
        syn::PathArguments::AngleBracketed(args) if args.args.len() == 1 => {
            match args.args.first() {
                Some(syn::GenericArgument::Type(inner)) => Some(inner),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The field's name as a `Column` variant, the way sea-orm spells it (`r#type` → `Type`, and
/// `Self_` for a field named `self_`).
fn field_variant(field: &Field) -> Ident {
    let name = field
        .ident
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let mut variant = upper_camel(name.trim_start_matches("r#"));
    if variant == "Self" {
        variant.push('_');
    }
    Ident::new(&variant, field.span())
}

/// A column suffix made from an invalid one, so that expansion can go on after the error.
fn repaired_name(name: &str) -> String {
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if is_snake_identifier(&name) {
        name
    } else {
        format!("m{name}")
    }
}

/// `display` is `Some(None)` for `#[stream(display)]`, `Some(Some(field))` for
/// `#[stream(display = "field")]`.
type DisplayAttr = Option<Option<LitStr>>;

/// `#[stream(..)]` as written.
struct StreamAttr {
    roles: Roles,
    name: Option<LitStr>,
    display: DisplayAttr,
    krate: Path,
    as2: Option<As2Attr>,
}

fn parse_stream_attr(input: &DeriveInput, errors: &mut Errors) -> StreamAttr {
    let mut roles = Roles::default();
    let mut name: Option<LitStr> = None;
    let mut display: DisplayAttr = None;
    let mut krate: Option<Path> = None;
    let mut as2: Option<As2Attr> = None;
    let mut last_attr = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("stream")) {
        last_attr = Some(attr);
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
            } else if meta.path.is_ident("display") {
                if display.is_some() {
                    errors.push(meta.error("duplicate `display` in `#[stream(..)]`; give it once"));
                }
                display = Some(if meta.input.peek(syn::Token![=]) {
                    Some(meta.value()?.parse::<LitStr>()?)
                } else {
                    None
                });
                return Ok(());
            } else if meta.path.is_ident("as2") {
                if as2.is_some() {
                    errors.push(meta.error("duplicate `as2` in `#[stream(..)]`; give it once"));
                }
                as2 = Some(As2Attr::parse(&meta, errors)?);
                return Ok(());
            } else if meta.path.is_ident("crate") {
                if krate.is_some() {
                    errors.push(meta.error("duplicate `crate` in `#[stream(..)]`; give it once"));
                }
                krate = Some(crate_path(meta.value()?)?);
                return Ok(());
            } else {
                let key = meta
                    .path
                    .get_ident()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                let suggestion = crate::attr::did_you_mean(
                    &key,
                    ["actor", "target", "action_object", "name", "display", "as2", "crate"],
                );
                errors.push(meta.error(format!(
                    "unknown key `{key}` in `#[stream(..)]`; expected `actor`, `target`, `action_object`, `name = \"...\"`, `display = \"field\"`, `as2(..)` or `crate = path::to::stream_core`{suggestion}"
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
    match last_attr {
        None => errors.push(syn::Error::new_spanned(
            &input.ident,
            "`#[derive(Streamable)]` needs the roles this model plays, e.g. `#[stream(actor, target, action_object)]`",
        )),
        Some(attr)
            if roles.actor.is_none() && roles.target.is_none() && roles.action_object.is_none() =>
        {
            errors.push(syn::Error::new_spanned(
                attr,
                "`#[stream(..)]` lists no role; add at least one of `actor`, `target`, `action_object`",
            ));
        }
        Some(_) => {}
    }
    StreamAttr {
        roles,
        name,
        display,
        krate: krate.unwrap_or_else(default_crate),
        as2,
    }
}

/// What `__stream_decode` and the column lists are made of.
struct Decoder {
    columns: Vec<TokenStream>,
    page_columns: Vec<TokenStream>,
    /// `field: <how it is read>`, for every field.
    values: Vec<TokenStream>,
    /// `let pk = ..;`
    pk_value: TokenStream,
}

/// The page decoder: the model's columns are read from `at` on, in the order of
/// `__STREAM_PAGE_COLUMNS`, which is also the order the page's select lists them in. A
/// model with an integer key and a column that is never `NULL` leaves its key out of that
/// list: the key is the action's role column, equal to it wherever the join matched (keys
/// compare exactly), and the non-null column tells a matched row from a missing one.
fn decoder(model: &Model, private: &TokenStream, column_type: &TokenStream) -> Decoder {
    let pk_ident = model.pk.ident.as_ref().expect("named field");
    let pk_ty = &model.pk.ty;
    let presence = integer_type(pk_ty)
        .then(|| {
            model.fields.iter().position(|(field, column)| {
                column.is_some()
                    && field.ident != model.pk.ident
                    && option_inner(&field.ty).is_none()
            })
        })
        .flatten();
    let mut column_variants = Vec::new();
    let mut page_variants = Vec::new();
    let mut values = Vec::new();
    let mut pk_index = None;
    for (position, (field, column)) in model.fields.iter().enumerate() {
        let field_ident = field.ident.as_ref().expect("named field");
        let index = page_variants.len();
        let value = match column {
            None => quote! { ::core::default::Default::default() },
            Some(_) if field_ident == pk_ident => {
                if presence.is_none() {
                    pk_index = Some(index);
                }
                quote! { pk }
            }
            Some(_) if presence == Some(position) => {
                let ty = &field.ty;
                quote! { #private::key_at::<#ty>(row, at + #index)? }
            }
            Some(variant) => match option_inner(&field.ty) {
                Some(inner) => quote! {
                    #private::optional_at::<#inner>(row, at + #index)?
                },
                None => {
                    let ty = &field.ty;
                    quote! {
                        #private::column_at::<#ty>(row, at + #index, #column_type::#variant)?
                    }
                }
            },
        };
        values.push(quote! { #field_ident: #value });
        if let Some(variant) = column {
            column_variants.push(quote! { #column_type::#variant });
            if field_ident != pk_ident || presence.is_none() {
                page_variants.push(quote! { #column_type::#variant });
            }
        }
    }
    let pk_value = match pk_index {
        Some(index) => quote! {
            let _ = key;
            let pk = #private::key_at::<#pk_ty>(row, at + #index)?;
        },
        None => quote! { let pk = ::core::clone::Clone::clone(key); },
    };
    Decoder {
        columns: column_variants,
        page_columns: page_variants,
        values,
        pk_value,
    }
}

fn emit(model: &Model, export: &Ident) -> TokenStream {
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
    let krate = &model.krate;
    let private = quote! { #krate::__private };
    let fmt_display = model.display.as_ref().map(|display| {
        let shown = match display {
            Display::Field(field) => quote! { &self.#field },
            Display::Own => quote! { self },
        };
        quote! {
            fn fmt_display(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::Display::fmt(#shown, f)
            }
        }
    });

    let column_type = quote! {
        <<#ident as #private::sea_orm::ModelTrait>::Entity as #private::sea_orm::EntityTrait>::Column
    };
    let Decoder {
        columns: column_variants,
        page_columns: page_variants,
        values,
        pk_value,
    } = decoder(model, &private, &column_type);

    let as2 = model.as2.expand(ident, &private);
    let relay_items = relay::model_items(
        Some(&quote! {
            { name = #name, model = #model_ident, pk_column = #pk_column, roles = [#(#roles),*] }
        }),
        export,
    );
    quote! {
        #[automatically_derived]
        impl #private::Streamable for #ident {
            const STREAM_NAME: &'static str = #name;
            type Pk = #pk_ty;
            fn stream_pk(&self) -> Self::Pk {
                ::core::clone::Clone::clone(&self.#pk_ident)
            }
            #fmt_display

            const __STREAM_COLUMNS: &'static [#column_type] = &[#(#column_variants),*];

            const __STREAM_PAGE_COLUMNS: &'static [#column_type] = &[#(#page_variants),*];

            fn __stream_decode(
                row: &#private::sea_orm::QueryResult,
                at: usize,
                key: &Self::Pk,
            ) -> ::core::result::Result<Self, #private::sea_orm::TryGetError> {
                #pk_value
                ::core::result::Result::Ok(#ident { #(#values),* })
            }
        }

        #as2

        #relay_items
    }
}
