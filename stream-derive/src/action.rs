//! `action_entity!`: declare the action table from the model modules.
//!
//! The roles live on the models (`#[derive(Streamable)]`), but a proc macro cannot read another
//! item. So expansion is a relay: the first pass checks the input and calls the hidden
//! macro (named by `MODEL_MACRO`) that the derive left in the first model's
//! module; that macro calls
//! `action_entity!` again with its roles prepended (`@model {..} @state {..} [..]`), and so on
//! through the list. When every model has answered, the last pass emits the entity.

use crate::attr::{Errors, upper_camel};
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::{
    Attribute, Ident, LitStr, Path, Token, Visibility, braced, bracketed,
    parse::{Parse, ParseStream},
    punctuated::Punctuated,
};

/// What the user wrote.
struct Input {
    attrs: Vec<Attribute>,
    vis: Visibility,
    ident: Ident,
    table_name: LitStr,
    verb: Path,
    models: Vec<Path>,
    /// Optional roles whose columns are set to NULL, not cascaded, when the object is deleted.
    set_null: Vec<Ident>,
}

/// What a model's derive reported.
pub(crate) struct ModelInfo {
    pub(crate) name: String,
    pub(crate) model: Ident,
    pub(crate) pk_column: Ident,
    pub(crate) roles: Vec<Ident>,
}

/// One pass of the relay.
enum Pass {
    First(Input),
    Step {
        model: Option<ModelInfo>,
        state: TokenStream,
        input: Declared,
        infos: Vec<ModelInfo>,
    },
}

/// The entity a relay is collecting roles for.
enum Declared {
    Action(Input),
    Follow(crate::follow::FollowInput),
}

pub fn expand(tokens: TokenStream) -> syn::Result<TokenStream> {
    match syn::parse2::<Pass>(tokens)? {
        Pass::First(input) => {
            let state = input.to_state()?;
            // Spanned on the path, so that a model without the derive is pointed at in `models`.
            let asserts = input.models.iter().map(|path| {
                let span = name_span(path);
                let path = from_child_free(path);
                quote_spanned! {span=> ::stream_core::__private::assert_streamable::<#path::Model>(); }
            });
            let relay = input.relay(&state, &[]);
            Ok(quote! {
                const _: () = { #(#asserts)* };
                #relay
            })
        }
        Pass::Step {
            model,
            state,
            input,
            mut infos,
        } => {
            infos.extend(model);
            let (models, at) = match &input {
                Declared::Action(input) => (input.models.clone(), input.ident.span()),
                Declared::Follow(input) => (input.relay_models(), input.ident.span()),
            };
            if infos.len() < models.len() {
                Ok(relay(&models, &state, &infos))
            } else {
                let emitted = match &input {
                    Declared::Action(input) => emit(input, &infos),
                    Declared::Follow(input) => crate::follow::emit(input, &infos),
                };
                emitted.map(|tokens| crate::relocate::relocate(tokens, at))
            }
        }
    }
}

const KEYS: &str = "expected `table_name = \"...\"`, `verb = path::to::Verb`, `models = [path::to::model, ..]` or `set_null = [target, action_object]`";

impl Parse for Input {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        input.parse::<Token![mod]>().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected `mod <name> { .. }`, e.g. `pub mod action { table_name = \"stream_action\", verb = crate::Verb, models = [crate::user] }`",
            )
        })?;
        let ident: Ident = input.parse()?;
        let body;
        braced!(body in input);

        let mut errors = Errors::default();
        let mut table_name = None;
        let mut verb = None;
        let mut models = None;
        let mut set_null = Vec::new();
        while !body.is_empty() {
            let key: Ident = body.parse()?;
            body.parse::<Token![=]>()?;
            match key.to_string().as_str() {
                "table_name" => table_name = Some(body.parse::<LitStr>()?),
                "verb" => verb = Some(body.parse::<Path>()?),
                "models" => {
                    let list;
                    bracketed!(list in body);
                    let paths = Punctuated::<Path, Token![,]>::parse_terminated(&list)?;
                    models = Some((key.span(), paths.into_iter().collect::<Vec<_>>()));
                }
                "set_null" => {
                    let list;
                    bracketed!(list in body);
                    for role in Punctuated::<Ident, Token![,]>::parse_terminated(&list)? {
                        match role.to_string().as_str() {
                            "target" | "action_object" => set_null.push(role),
                            "actor" => errors.push(syn::Error::new_spanned(
                                &role,
                                "every action has an actor, so deleting it deletes its actions; only `target` and `action_object` can be `set_null`",
                            )),
                            other => errors.push(syn::Error::new_spanned(
                                &role,
                                format!("unknown role `{other}`; `set_null` takes `target` and/or `action_object`"),
                            )),
                        }
                    }
                }
                other => {
                    errors.push(syn::Error::new_spanned(
                        &key,
                        format!("unknown key `{other}` in `action_entity!`; {KEYS}"),
                    ));
                    body.parse::<syn::Expr>()?;
                }
            }
            if !body.is_empty() {
                body.parse::<Token![,]>()?;
            }
        }
        let missing = |what: &str| {
            syn::Error::new_spanned(&ident, format!("`action_entity!` needs `{what}`; {KEYS}"))
        };
        if table_name.is_none() {
            errors.push(missing("table_name = \"...\""));
        }
        if verb.is_none() {
            errors.push(missing("verb = path::to::Verb"));
        }
        match &models {
            None => errors.push(missing("models = [..]")),
            Some((span, list)) if list.is_empty() => errors.push(syn::Error::new(
                *span,
                "`models` is empty; list the modules of the models that take part in actions",
            )),
            _ => {}
        }
        errors.finish()?;
        Ok(Input {
            attrs,
            vis,
            ident,
            table_name: table_name.expect("checked"),
            verb: verb.expect("checked"),
            models: models.expect("checked").1,
            set_null,
        })
    }
}

impl Input {
    /// The user's input, re-emitted for the next pass.
    fn to_state(&self) -> syn::Result<TokenStream> {
        let Input {
            attrs,
            vis,
            ident,
            table_name,
            verb,
            models,
            set_null,
        } = self;
        Ok(quote! {
            #(#attrs)* #vis mod #ident {
                table_name = #table_name,
                verb = #verb,
                models = [#(#models),*],
                set_null = [#(#set_null),*],
            }
        })
    }

    /// Ask the next model's derive for its roles.
    fn relay(&self, state: &TokenStream, infos: &[ModelInfo]) -> TokenStream {
        relay(&self.models, state, infos)
    }
}

/// Ask the derive of `models[infos.len()]` for its roles, passing on `state`.
pub(crate) fn relay(models: &[Path], state: &TokenStream, infos: &[ModelInfo]) -> TokenStream {
    let next = &models[infos.len()];
    let relay = Ident::new(crate::MODEL_MACRO, name_span(next));
    let infos = infos.iter().map(ModelInfo::to_tokens_info);
    quote! {
        #next::#relay! { @state { #state } [ #(#infos)* ] }
    }
}

impl ModelInfo {
    fn to_tokens_info(&self) -> TokenStream {
        let ModelInfo {
            name,
            model,
            pk_column,
            roles,
        } = self;
        let model = model.to_string();
        quote! { { name = #name, model = #model, pk_column = #pk_column, roles = [#(#roles),*] } }
    }
}

impl Parse for ModelInfo {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let body;
        braced!(body in input);
        let mut name = None;
        let mut model = None;
        let mut pk_column = None;
        let mut roles = Vec::new();
        while !body.is_empty() {
            let key: Ident = body.parse()?;
            body.parse::<Token![=]>()?;
            match key.to_string().as_str() {
                "name" => name = Some(body.parse::<LitStr>()?.value()),
                "model" => {
                    let lit: LitStr = body.parse()?;
                    model = Some(Ident::new(&lit.value(), lit.span()));
                }
                "pk_column" => pk_column = Some(body.parse::<Ident>()?),
                "roles" => {
                    let list;
                    bracketed!(list in body);
                    roles = Punctuated::<Ident, Token![,]>::parse_terminated(&list)?
                        .into_iter()
                        .collect();
                }
                _ => {
                    return Err(syn::Error::new_spanned(
                        key,
                        "stream-derive version mismatch",
                    ));
                }
            }
            if !body.is_empty() {
                body.parse::<Token![,]>()?;
            }
        }
        let mismatch = || syn::Error::new(Span::call_site(), "stream-derive version mismatch");
        Ok(ModelInfo {
            name: name.ok_or_else(mismatch)?,
            model: model.ok_or_else(mismatch)?,
            pk_column: pk_column.ok_or_else(mismatch)?,
            roles,
        })
    }
}

impl Parse for Pass {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if !input.peek(Token![@]) {
            return Ok(Pass::First(input.parse()?));
        }
        let mut model = None;
        input.parse::<Token![@]>()?;
        let mut marker: Ident = input.parse()?;
        if marker == "model" {
            model = Some(input.parse::<ModelInfo>()?);
            input.parse::<Token![@]>()?;
            marker = input.parse()?;
        }
        if marker != "state" {
            return Err(syn::Error::new_spanned(
                marker,
                "stream-derive version mismatch",
            ));
        }
        let state;
        braced!(state in input);
        let state: TokenStream = state.parse()?;
        let infos_body;
        bracketed!(infos_body in input);
        let mut infos = Vec::new();
        while !infos_body.is_empty() {
            infos.push(infos_body.parse::<ModelInfo>()?);
        }
        let input = match state.clone().into_iter().next() {
            Some(proc_macro2::TokenTree::Ident(first)) if first == "follow" => {
                Declared::Follow(syn::parse2(state.clone())?)
            }
            _ => Declared::Action(syn::parse2(state.clone())?),
        };
        Ok(Pass::Step {
            model,
            state,
            input,
            infos,
        })
    }
}

/// A path written next to the macro, as seen from inside the generated module.
pub(crate) fn from_child(path: &Path) -> TokenStream {
    let first = path.segments.first().map(|s| s.ident.to_string());
    match first.as_deref() {
        _ if path.leading_colon.is_some() => path.to_token_stream(),
        Some("crate") => path.to_token_stream(),
        Some("self") => {
            let rest = path.segments.iter().skip(1);
            quote! { super #(:: #rest)* }
        }
        _ => quote! { super:: #path },
    }
}

/// Where a path the user wrote ends: its last name.
fn name_span(path: &Path) -> Span {
    path.segments
        .last()
        .map_or_else(Span::call_site, |segment| segment.ident.span())
}

/// A path written next to the macro, used next to the macro.
pub(crate) fn from_child_free(path: &Path) -> TokenStream {
    path.to_token_stream()
}

/// One registered model, with the names of its generated items.
struct Registered<'a> {
    path: TokenStream,
    info: &'a ModelInfo,
    /// `User`: enum variants and the column suffix in CamelCase.
    variant: Ident,
    /// `UserPk`: the alias of its primary-key type.
    pk_alias: Ident,
}

fn emit(input: &Input, infos: &[ModelInfo]) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    let registered: Vec<Registered> = input
        .models
        .iter()
        .zip(infos)
        .map(|(path, info)| {
            let variant = format_ident!("{}", upper_camel(&info.name));
            Registered {
                path: from_child(path),
                info,
                pk_alias: format_ident!("{}Pk", variant),
                variant,
            }
        })
        .collect();
    for (i, model) in registered.iter().enumerate() {
        // By variant: `a_b` and `a__b` (or `a1` and `a_1`) make the same `Column::ActorA1`.
        let Some(earlier) = registered[..i].iter().find(|m| m.variant == model.variant) else {
            continue;
        };
        let message = if earlier.info.name == model.info.name {
            format!(
                "two listed models are named `{}`; give one `#[stream(name = \"...\")]` so their columns differ",
                model.info.name
            )
        } else {
            let role = model
                .info
                .roles
                .first()
                .map_or_else(String::new, |role| upper_camel(&role.to_string()));
            format!(
                "the names `{}` and `{}` of two listed models make the same column variants (`Column::{role}{}`); give one `#[stream(name = \"...\")]` so their columns differ",
                earlier.info.name, model.info.name, model.variant
            )
        };
        errors.push(syn::Error::new_spanned(&input.models[i], message));
    }
    if !registered
        .iter()
        .any(|m| m.info.roles.iter().any(|r| r == "actor"))
    {
        errors.push(syn::Error::new_spanned(
            &input.ident,
            "no listed model can be an actor; every action needs one, so add `actor` to a model's `#[stream(..)]`",
        ));
    }
    errors.finish()?;

    let Input {
        attrs,
        vis,
        ident,
        table_name,
        verb,
        set_null,
        ..
    } = input;
    // A verb type that is not a `Verb` is reported on the path the user wrote.
    let verb_type = quote_spanned! {name_span(verb)=> type Verb = ActionVerb; };
    let verb = from_child(verb);

    let pk_aliases = registered.iter().map(|m| {
        let (path, alias, model) = (&m.path, &m.pk_alias, &m.info.model);
        let doc = format!("The primary-key type of `{}`.", m.info.name);
        quote! {
            #[doc = #doc]
            pub type #alias = <#path::#model as ::stream_core::Streamable>::Pk;
        }
    });

    let roles = [
        ("actor", "Actor", "as_actor", "ActorId", "ActorModel"),
        ("target", "Target", "as_target", "TargetId", "TargetModel"),
        (
            "action_object",
            "ActionObject",
            "as_action_object",
            "ActionObjectId",
            "ActionObjectModel",
        ),
    ];

    let mut fields = Vec::new();
    let mut field_names = Vec::new();
    let mut relations = Vec::new();
    let mut links = Vec::new();
    let mut role_impls = Vec::new();
    let mut role_column_arms = Vec::new();
    let mut null_arms = Vec::new();
    let mut enums = Vec::new();
    let mut model_methods = Vec::new();
    let mut active_methods = Vec::new();
    // Hydration: the joins of `join_roles`, and how `Loaded` decodes each role.
    let mut joins = Vec::new();
    // The column count of each joined model so far, for the positions of the next.
    let mut join_widths: Vec<TokenStream> = Vec::new();
    let mut loaded_roles = Vec::new();
    let mut page_roles = Vec::new();

    for (role, role_trait, as_role, id_enum, model_enum) in roles {
        let role_trait = format_ident!("{role_trait}");
        let as_role = format_ident!("{as_role}");
        let id_enum = format_ident!("{id_enum}");
        let model_enum = format_ident!("{model_enum}");
        let role_variant = format_ident!("{}", upper_camel(role));
        let words = role.replace('_', " ");
        let on_delete = if set_null.iter().any(|r| r == role) {
            "SetNull"
        } else {
            "Cascade"
        };
        let members: Vec<&Registered> = registered
            .iter()
            .filter(|m| m.info.roles.iter().any(|r| r == role))
            .collect();

        let mut columns = Vec::new();
        let mut id_variants = Vec::new();
        let mut model_variants = Vec::new();
        let mut id_arms = Vec::new();
        let mut fetch_arms = Vec::new();
        let mut ref_id_arms = Vec::new();
        let mut ref_model_arms = Vec::new();
        let mut decode_arms = Vec::new();
        // For the page decoder: (field, key type, column index, model offset, model path,
        // variant) of each member.
        let mut page_members = Vec::new();
        let mut display_arms = Vec::new();
        for m in &members {
            let field = format_ident!("{}_{}", role, m.info.name);
            let column = format_ident!("{}", upper_camel(&field.to_string()));
            let (path, model, variant, alias, pk_column) = (
                &m.path,
                &m.info.model,
                &m.variant,
                &m.pk_alias,
                &m.info.pk_column,
            );
            let field_doc = format!("The {words} when it is a `{}`.", m.info.name);
            // Indexed by `(column, timestamp, id)`, which serves the foreign key and the
            // column's newest-first stream: see `stream_core::schema::stream_indexes`.
            let field_index = 5 + field_names.len();
            field_names.push(field.clone());
            fields.push(quote! {
                #[doc = #field_doc]
                pub #field: Option<#alias>,
            });
            let belongs_to = format!("{path}::Entity").replace(' ', "");
            let to = format!("{path}::Column::{pk_column}").replace(' ', "");
            let from = format!("Column::{column}");
            let rel_doc = format!("`{field}` references `{}`.", m.info.name);
            relations.push(quote! {
                #[doc = #rel_doc]
                #[sea_orm(belongs_to = #belongs_to, from = #from, to = #to, on_update = "Cascade", on_delete = #on_delete)]
                #column,
            });
            let link = format_ident!("{column}Link");
            let link_doc = format!(
                "Follows `{field}` to its `{}` (`find_also_linked`, `find_linked`).",
                m.info.name
            );
            links.push(quote! {
                #[doc = #link_doc]
                #[derive(Clone, Copy, Debug, Default)]
                pub struct #link;
                #[automatically_derived]
                impl sea_orm::Linked for #link {
                    type FromEntity = Entity;
                    type ToEntity = #path::Entity;
                    fn link(&self) -> ::std::vec::Vec<sea_orm::LinkDef> {
                        ::std::vec![sea_orm::RelationTrait::def(&Relation::#column)]
                    }
                }
            });
            role_impls.push(quote! {
                #[automatically_derived]
                impl ::stream_core::#role_trait<Entity> for #path::#model {
                    fn #as_role(&self) -> ::stream_core::RoleRef<Entity> {
                        ::stream_core::RoleRef::__generated(
                            Column::#column,
                            ::core::convert::Into::into(::stream_core::Streamable::stream_pk(self)),
                        )
                    }
                }
            });
            columns.push(quote! { Column::#column });
            null_arms.push(quote! {
                Column::#column => ::core::convert::Into::into(::core::option::Option::<#alias>::None),
            });
            let v_doc = format!("A `{}`.", m.info.name);
            id_variants.push(quote! { #[doc = #v_doc] #variant(#alias), });
            model_variants.push(quote! { #[doc = #v_doc] #variant(#path::#model), });
            id_arms.push(quote! {
                if let ::core::option::Option::Some(key) = &self.#field {
                    return ::core::option::Option::Some(#id_enum::#variant(::core::clone::Clone::clone(key)));
                }
            });
            fetch_arms.push(quote! {
                #id_enum::#variant(key) => {
                    <#path::Entity as sea_orm::EntityTrait>::find_by_id(::core::clone::Clone::clone(key)).one(db).await?.map(#model_enum::#variant)
                }
            });
            ref_id_arms.push(quote! {
                #id_enum::#variant(key) => ::stream_core::RoleRef::__generated(
                    Column::#column,
                    ::core::convert::Into::into(::core::clone::Clone::clone(key)),
                ),
            });
            ref_model_arms.push(quote! {
                #model_enum::#variant(model) => ::stream_core::#role_trait::<Entity>::#as_role(model),
            });
            let alias = field.to_string();
            joins.push(quote! {
                let select = ::stream_core::hydrate::join_model::<Entity, #path::#model>(
                    select,
                    sea_orm::RelationTrait::def(&Relation::#column),
                    #alias,
                    if page {
                        <#path::#model as ::stream_core::Streamable>::__STREAM_PAGE_COLUMNS
                    } else {
                        <#path::#model as ::stream_core::Streamable>::__STREAM_COLUMNS
                    },
                );
            });
            let at = quote! { ACTION_COLUMNS #(+ #join_widths)* };
            page_members.push((
                field.clone(),
                m.pk_alias.clone(),
                field_index,
                at.clone(),
                quote! { #path::#model },
                variant.clone(),
            ));
            join_widths.push(quote! {
                <#path::#model as ::stream_core::Streamable>::__STREAM_PAGE_COLUMNS.len()
            });
            decode_arms.push((
                quote! { ::core::option::Option::Some(#id_enum::#variant(_)) },
                quote! {
                    #model_enum::#variant(::stream_core::hydrate::decode_model::<#path::#model>(
                        row, pre, #alias, action.id, ::stream_core::Role::#role_variant,
                    )?)
                },
            ));
            display_arms.push(quote! {
                #model_enum::#variant(model) => ::stream_core::Streamable::fmt_display(model, f),
            });
        }
        let loaded_field = format_ident!("{role}");
        if members.is_empty() {
            let doc = format!("No registered model can be the {words}; this enum has no values.");
            enums.push(quote! {
                #[doc = #doc]
                #[derive(Clone, Debug, PartialEq)]
                pub enum #model_enum {}

                #[automatically_derived]
                impl ::core::fmt::Display for #model_enum {
                    fn fmt(&self, _: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                        match *self {}
                    }
                }
            });
        }
        // How `Loaded` reads the role by column name (any select of `hydrate()`); the page
        // statements, whose select list is known, are read by position (`page_role`).
        loaded_roles.push(if members.is_empty() {
            quote! { let #loaded_field = ::core::option::Option::None; }
        } else if role == "actor" {
            let arms = decode_arms
                .iter()
                .map(|(pattern, model)| quote! { #pattern => #model, });
            quote! {
                let #loaded_field = match action.actor_id() {
                    #(#arms)*
                    ::core::option::Option::None => {
                        return ::core::result::Result::Err(::stream_core::hydrate::missing_role(
                            action.id,
                            ::stream_core::Role::Actor,
                        ));
                    }
                };
            }
        } else {
            let id_fn = format_ident!("{role}_id");
            let arms = decode_arms.iter().map(
                |(pattern, model)| quote! { #pattern => ::core::option::Option::Some(#model), },
            );
            quote! {
                let #loaded_field = match action.#id_fn() {
                    #(#arms)*
                    ::core::option::Option::None => ::core::option::Option::None,
                };
            }
        });
        page_roles.push(page_role(
            role,
            &loaded_field,
            &model_enum,
            &role_variant,
            &page_members,
        ));
        role_column_arms.push(quote! {
            ::stream_core::Role::#role_variant => &[#(#columns),*],
        });

        if members.is_empty() {
            continue;
        }
        let id_doc = format!("The primary key of an action's {words}, tagged with its model.");
        let model_doc = format!("An action's {words}, loaded.");
        enums.push(quote! {
            #[doc = #id_doc]
            #[derive(Clone, Debug, PartialEq)]
            pub enum #id_enum { #(#id_variants)* }

            #[doc = #model_doc]
            #[derive(Clone, Debug, PartialEq)]
            pub enum #model_enum { #(#model_variants)* }

            #[automatically_derived]
            impl ::stream_core::#role_trait<Entity> for #id_enum {
                fn #as_role(&self) -> ::stream_core::RoleRef<Entity> {
                    match self { #(#ref_id_arms)* }
                }
            }

            #[automatically_derived]
            impl ::stream_core::#role_trait<Entity> for #model_enum {
                fn #as_role(&self) -> ::stream_core::RoleRef<Entity> {
                    match self { #(#ref_model_arms)* }
                }
            }

            /// Shows the model as its `#[stream(display ..)]` says.
            #[automatically_derived]
            impl ::core::fmt::Display for #model_enum {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    match self { #(#display_arms)* }
                }
            }
        });

        let id_fn = format_ident!("{role}_id");
        let fetch_fn = format_ident!("{role}");
        let set_fn = format_ident!("set_{role}");
        let id_fn_doc = format!("The {words}'s model and primary key, without a query.");
        let set_doc = format!(
            "Make `{role}` the {words}: its column is set and the role's other columns are cleared. Save with `update`."
        );
        let fetch_doc = format!("Load the {words}.");
        model_methods.push(quote! {
            #[doc = #id_fn_doc]
            pub fn #id_fn(&self) -> ::core::option::Option<#id_enum> {
                #(#id_arms)*
                ::core::option::Option::None
            }
        });
        active_methods.push(quote! {
            #[doc = #set_doc]
            pub fn #set_fn(&mut self, #fetch_fn: &impl ::stream_core::#role_trait<Entity>) {
                ::stream_core::roles::set::<Entity>(
                    self,
                    ::stream_core::Role::#role_variant,
                    ::core::option::Option::Some(::stream_core::#role_trait::<Entity>::#as_role(#fetch_fn)),
                );
            }
        });
        if role == "actor" {
            model_methods.push(quote! {
                #[doc = #fetch_doc]
                ///
                /// Fails with [`StreamError::MissingRole`](::stream_core::StreamError::MissingRole)
                /// when the action has no actor or its row is gone.
                pub async fn actor<C: sea_orm::ConnectionTrait>(
                    &self,
                    db: &C,
                ) -> ::core::result::Result<#model_enum, ::stream_core::StreamError> {
                    let missing = || ::stream_core::__private::missing_role(self.id, ::stream_core::Role::Actor);
                    let key = self.actor_id().ok_or_else(missing)?;
                    let found = match &key { #(#fetch_arms)* };
                    found.ok_or_else(missing)
                }
            });
        } else {
            let clear_fn = format_ident!("clear_{role}");
            let clear_doc = format!("Leave the action without a {words}. Save with `update`.");
            model_methods.push(quote! {
                #[doc = #fetch_doc]
                ///
                /// `Ok(None)` when the role is empty.
                pub async fn #fetch_fn<C: sea_orm::ConnectionTrait>(
                    &self,
                    db: &C,
                ) -> ::core::result::Result<::core::option::Option<#model_enum>, ::stream_core::StreamError> {
                    let ::core::option::Option::Some(key) = self.#id_fn() else {
                        return ::core::result::Result::Ok(::core::option::Option::None);
                    };
                    let found = match &key { #(#fetch_arms)* };
                    match found {
                        ::core::option::Option::Some(found) => ::core::result::Result::Ok(::core::option::Option::Some(found)),
                        ::core::option::Option::None => ::core::result::Result::Err(
                            ::stream_core::__private::missing_role(self.id, ::stream_core::Role::#role_variant),
                        ),
                    }
                }
            });
            active_methods.push(quote! {
                #[doc = #clear_doc]
                pub fn #clear_fn(&mut self) {
                    ::stream_core::roles::set::<Entity>(self, ::stream_core::Role::#role_variant, ::core::option::Option::None);
                }
            });
        }
    }

    // `Related` only where a model appears in one column; otherwise use the `*Link` types.
    let related = registered.iter().filter_map(|m| {
        if m.info.roles.len() != 1 {
            return None;
        }
        let column = format_ident!(
            "{}",
            upper_camel(&format!("{}_{}", m.info.roles[0], m.info.name))
        );
        let path = &m.path;
        Some(quote! {
            #[automatically_derived]
            impl sea_orm::Related<#path::Entity> for Entity {
                fn to() -> sea_orm::RelationDef {
                    sea_orm::RelationTrait::def(&Relation::#column)
                }
            }
        })
    });

    // Every column a model appears in, for the any-role and model streams.
    let involved = registered.iter().map(|m| {
        let columns: Vec<Ident> = m
            .info
            .roles
            .iter()
            .map(|role| format_ident!("{}", upper_camel(&format!("{role}_{}", m.info.name))))
            .collect();
        let role_arms = m.info.roles.iter().zip(&columns).map(|(role, column)| {
            let role = format_ident!("{}", upper_camel(&role.to_string()));
            quote! { ::stream_core::Role::#role => ::core::option::Option::Some(Column::#column), }
        });
        let (path, model) = (&m.path, &m.info.model);
        quote! {
            #[automatically_derived]
            impl ::stream_core::Involved<Entity> for #path::#model {
                fn involved_columns() -> &'static [Column] {
                    &[#(Column::#columns),*]
                }
                fn role_column(role: ::stream_core::Role) -> ::core::option::Option<Column> {
                    #[allow(unreachable_patterns)]
                    match role {
                        #(#role_arms)*
                        _ => ::core::option::Option::None,
                    }
                }
                fn involved_key(&self) -> sea_orm::Value {
                    ::core::convert::Into::into(::stream_core::Streamable::stream_pk(self))
                }
            }
        }
    });

    // The generated columns follow the five fixed ones (see `Model` below).
    let action_columns = 5 + field_names.len();

    Ok(quote! {
        #(#attrs)*
        #vis mod #ident {
            use ::stream_core::__private::sea_orm;
            // sea-orm's derives name these items unqualified.
            #[allow(unused_imports)]
            use sea_orm::entity::prelude::*;

            /// The verb enum of this action table.
            pub type ActionVerb = #verb;
            /// When an action happened.
            pub type Timestamp = ::stream_core::__private::chrono::DateTime<::stream_core::__private::chrono::Utc>;
            #(#pk_aliases)*

            /// One action: an actor did a verb, maybe to a target, maybe with an action object.
            #[derive(Clone, Debug, PartialEq, sea_orm::DeriveEntityModel)]
            #[sea_orm(table_name = #table_name)]
            // `DeriveEntityModel` reads `Option<..>` by name to make a column nullable; this
            // module is ours, so the prelude's `Option` and `String` are the ones meant.
            pub struct Model {
                /// When it happened. First, so that the unique `(timestamp, id)` index serves
                /// newest-first streams.
                #[sea_orm(unique_key = "timestamp_id")]
                pub timestamp: Timestamp,
                /// The primary key.
                #[sea_orm(primary_key, unique_key = "timestamp_id")]
                pub id: i64,
                /// What the actor did.
                #[sea_orm(indexed)]
                pub verb: ActionVerb,
                /// Free text.
                #[sea_orm(column_type = "Text", nullable)]
                pub description: Option<String>,
                /// Set on rows made by `get_or_create`: a hash of what it matched on.
                #[sea_orm(unique, column_type = "String(StringLen::N(64))", nullable)]
                pub get_or_create_key: Option<String>,
                #(#fields)*
            }

            /// The foreign keys: one per registered model per role.
            #[derive(Clone, Copy, Debug, sea_orm::EnumIter, sea_orm::DeriveRelation)]
            pub enum Relation {
                #(#relations)*
            }

            #[automatically_derived]
            impl sea_orm::ActiveModelBehavior for ActiveModel {}

            #(#related)*
            #(#links)*
            #(#enums)*
            #(#role_impls)*
            #(#involved)*

            impl Model {
                #(#model_methods)*
            }

            impl ActiveModel {
                #(#active_methods)*
            }

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
                    #(#loaded_roles)*
                    ::core::result::Result::Ok(Loaded { action, actor, target, action_object })
                }
            }

            /// One aliased `LEFT JOIN` per role column, selecting each joined model's
            /// columns: all of them (`join_roles`, read by name), or the page's (read by
            /// position).
            fn join_roles(select: sea_orm::Select<Entity>, page: bool) -> sea_orm::Select<Entity> {
                #(#joins)*
                select
            }

            #[automatically_derived]
            impl ::stream_core::ActionEntity for Entity {
                #verb_type
                type Loaded = Loaded;
                const ID: Column = Column::Id;
                const VERB: Column = Column::Verb;
                const DESCRIPTION: Column = Column::Description;
                const TIMESTAMP: Column = Column::Timestamp;
                const GET_OR_CREATE_KEY: Column = Column::GetOrCreateKey;

                fn role_columns(role: ::stream_core::Role) -> &'static [Column] {
                    match role {
                        #(#role_column_arms)*
                    }
                }

                fn null_value(column: Column) -> sea_orm::Value {
                    match column {
                        #(#null_arms)*
                        _ => sea_orm::Value::from(::core::option::Option::<::std::string::String>::None),
                    }
                }

                fn join_roles(select: sea_orm::Select<Self>) -> sea_orm::Select<Self> {
                    join_roles(select, false)
                }

                fn __join_roles_for_page(select: sea_orm::Select<Self>) -> sea_orm::Select<Self> {
                    join_roles(select, true)
                }

                /// The action's columns come first in `Column` order: read by position.
                fn __decode_page_row(
                    row: &sea_orm::QueryResult,
                ) -> ::core::result::Result<Loaded, sea_orm::DbErr> {
                    const ACTION_COLUMNS: usize = #action_columns;
                    let id: i64 = row.try_get_by_index(1)?;
                    #(#page_roles)*
                    let action = Model {
                        timestamp: row.try_get_by_index(0)?,
                        id,
                        verb: row.try_get_by_index(2)?,
                        description: ::stream_core::hydrate::optional_at(row, 3)?,
                        get_or_create_key: ::stream_core::hydrate::optional_at(row, 4)?,
                        #( #field_names, )*
                    };
                    ::core::result::Result::Ok(Loaded { action, actor, target, action_object })
                }

                fn signal() -> &'static ::stream_core::Signal<Self> {
                    static SIGNAL: ::stream_core::Signal<Entity> = ::stream_core::Signal::new();
                    &SIGNAL
                }

                fn action_id(action: &Model) -> i64 {
                    action.id
                }
            }
        }
    })
}

/// How the page decoder reads one role: the role's key columns (decoded up front; a row
/// sets at most one, but a row written by hand may set several), and the model joined
/// through the first set one in declaration order, as `<role>_id()` decides.
fn page_role(
    role: &str,
    loaded: &Ident,
    model_enum: &Ident,
    role_variant: &Ident,
    members: &[(Ident, Ident, usize, TokenStream, TokenStream, Ident)],
) -> TokenStream {
    if members.is_empty() {
        return quote! { let #loaded = ::core::option::Option::None; };
    }
    let checks = members.iter().map(|(field, key, index, ..)| {
        quote! {
            let #field: ::core::option::Option<#key> =
                ::stream_core::hydrate::optional_at(row, #index)?;
        }
    });
    let chain = members.iter().map(|(field, _, _, at, path, variant)| {
        quote! {
            if let ::core::option::Option::Some(key) = &#field {
                let model = ::stream_core::hydrate::decode_model_at::<#path>(
                    row, #at, key, id, ::stream_core::Role::#role_variant,
                )?;
                ::core::option::Option::Some(#model_enum::#variant(model))
            } else
        }
    });
    let decided = if role == "actor" {
        quote! {
            let #loaded = match #(#chain)* { ::core::option::Option::None } {
                ::core::option::Option::Some(model) => model,
                ::core::option::Option::None => {
                    return ::core::result::Result::Err(::stream_core::hydrate::missing_role(
                        id,
                        ::stream_core::Role::Actor,
                    ));
                }
            };
        }
    } else {
        quote! {
            let #loaded = #(#chain)* { ::core::option::Option::None };
        }
    };
    quote! {
        #(#checks)*
        #decided
    }
}
