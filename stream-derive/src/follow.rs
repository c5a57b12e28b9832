//! `follow_entity!`: who follows what, one foreign-key column per followable model.
//!
//! It rides the same relay as `action_entity!` (see `action.rs`): the state passed along is
//! the input prefixed with `follow`, and the follower's module is asked last.

use crate::action::{ModelInfo, from_child, from_child_free, relay};
use crate::attr::{Errors, upper_camel};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{
    Attribute, Ident, LitStr, Path, Token, Visibility, braced, bracketed,
    parse::{Parse, ParseStream},
    punctuated::Punctuated,
};

/// What the user wrote.
pub(crate) struct FollowInput {
    attrs: Vec<Attribute>,
    vis: Visibility,
    pub(crate) ident: Ident,
    table_name: LitStr,
    follower: Path,
    models: Vec<Path>,
    actions: Vec<Path>,
}

const KEYS: &str = "expected `table_name = \"...\"`, `follower = path::to::model`, `models = [path::to::model, ..]` or `actions = [path::to::action_module, ..]`";

impl Parse for FollowInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        // The relay's state starts with `follow`; the user's input does not.
        if input.peek(Ident) && input.fork().parse::<Ident>()? == "follow" {
            input.parse::<Ident>()?;
        }
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        input.parse::<Token![mod]>().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected `mod <name> { .. }`, e.g. `pub mod follow { table_name = \"stream_follow\", follower = crate::user, models = [crate::user] }`",
            )
        })?;
        let ident: Ident = input.parse()?;
        let body;
        braced!(body in input);
        let mut errors = Errors::default();
        let (mut table_name, mut follower, mut models, mut actions) =
            (None, None, None, Vec::new());
        let paths = |body: ParseStream| -> syn::Result<Vec<Path>> {
            let list;
            bracketed!(list in body);
            Ok(Punctuated::<Path, Token![,]>::parse_terminated(&list)?
                .into_iter()
                .collect())
        };
        while !body.is_empty() {
            let key: Ident = body.parse()?;
            body.parse::<Token![=]>()?;
            match key.to_string().as_str() {
                "table_name" => table_name = Some(body.parse::<LitStr>()?),
                "follower" => follower = Some(body.parse::<Path>()?),
                "models" => models = Some((key.span(), paths(&body)?)),
                "actions" => actions = paths(&body)?,
                other => {
                    errors.push(syn::Error::new_spanned(
                        &key,
                        format!("unknown key `{other}` in `follow_entity!`; {KEYS}"),
                    ));
                    body.parse::<syn::Expr>()?;
                }
            }
            if !body.is_empty() {
                body.parse::<Token![,]>()?;
            }
        }
        let missing = |what: &str| {
            syn::Error::new_spanned(&ident, format!("`follow_entity!` needs `{what}`; {KEYS}"))
        };
        if table_name.is_none() {
            errors.push(missing("table_name = \"...\""));
        }
        if follower.is_none() {
            errors.push(missing("follower = path::to::model"));
        }
        match &models {
            None => errors.push(missing("models = [..]")),
            Some((span, list)) if list.is_empty() => errors.push(syn::Error::new(
                *span,
                "`models` is empty; list the modules of the models users can follow",
            )),
            _ => {}
        }
        errors.finish()?;
        Ok(FollowInput {
            attrs,
            vis,
            ident,
            table_name: table_name.expect("checked"),
            follower: follower.expect("checked"),
            models: models.expect("checked").1,
            actions,
        })
    }
}

impl FollowInput {
    /// The followable models, then the follower.
    pub(crate) fn relay_models(&self) -> Vec<Path> {
        let mut models = self.models.clone();
        models.push(self.follower.clone());
        models
    }

    fn to_state(&self) -> TokenStream {
        let FollowInput {
            attrs,
            vis,
            ident,
            table_name,
            follower,
            models,
            actions,
        } = self;
        quote! {
            follow #(#attrs)* #vis mod #ident {
                table_name = #table_name,
                follower = #follower,
                models = [#(#models),*],
                actions = [#(#actions),*],
            }
        }
    }
}

/// The first pass of `follow_entity!`.
pub fn expand(tokens: TokenStream) -> syn::Result<TokenStream> {
    let input: FollowInput = syn::parse2(tokens)?;
    let asserts = input.relay_models().into_iter().map(|path| {
        let path = from_child_free(&path);
        quote! { ::stream_core::__private::assert_streamable::<#path::Model>(); }
    });
    let relay = relay(&input.relay_models(), &input.to_state(), &[]);
    Ok(quote! {
        const _: () = { #(#asserts)* };
        #relay
    })
}

/// The last pass: every model has answered.
pub(crate) fn emit(input: &FollowInput, infos: &[ModelInfo]) -> syn::Result<TokenStream> {
    let (followed, follower) = infos.split_at(infos.len() - 1);
    let follower_info = &follower[0];
    let mut errors = Errors::default();
    for (i, info) in followed.iter().enumerate() {
        if followed[..i].iter().any(|other| other.name == info.name) {
            errors.push(syn::Error::new_spanned(
                &input.models[i],
                format!(
                    "two listed models are named `{}`; give one `#[stream(name = \"...\")]` so their columns differ",
                    info.name
                ),
            ));
        }
    }
    errors.finish()?;

    let FollowInput {
        attrs,
        vis,
        ident,
        table_name,
        ..
    } = input;
    let follower_path = from_child(&input.follower);
    let follower_model = &follower_info.model;
    let follower_pk = &follower_info.pk_column;
    let follower_fk = format!("{follower_path}::Entity").replace(' ', "");
    let follower_to = format!("{follower_path}::Column::{follower_pk}").replace(' ', "");

    let mut fields = Vec::new();
    let mut relations = Vec::new();
    let mut columns = Vec::new();
    let mut followable = Vec::new();
    let mut id_variants = Vec::new();
    let mut id_arms = Vec::new();
    let mut aliases = Vec::new();
    for (path, info) in input.models.iter().zip(followed) {
        let path = from_child(path);
        let model = &info.model;
        let variant = format_ident!("{}", upper_camel(&info.name));
        let alias = format_ident!("{variant}Pk");
        let field = format_ident!("followed_{}", info.name);
        let column = format_ident!("{}", upper_camel(&field.to_string()));
        let doc = format!("The followed `{}`.", info.name);
        aliases.push(quote! {
            #[doc = #doc]
            pub type #alias = <#path::#model as ::stream_core::Streamable>::Pk;
        });
        fields.push(quote! {
            #[doc = #doc]
            #[sea_orm(indexed)]
            pub #field: Option<#alias>,
        });
        let belongs_to = format!("{path}::Entity").replace(' ', "");
        let to = format!("{path}::Column::{}", info.pk_column).replace(' ', "");
        let from = format!("Column::{column}");
        relations.push(quote! {
            #[doc = #doc]
            #[sea_orm(belongs_to = #belongs_to, from = #from, to = #to, on_update = "Cascade", on_delete = "Cascade")]
            #column,
        });
        columns.push(quote! { Column::#column });
        followable.push(quote! {
            #[automatically_derived]
            impl ::stream_core::Followable<Entity> for #path::#model {
                fn followed_column() -> Column {
                    Column::#column
                }
                fn followed_key(&self) -> sea_orm::Value {
                    ::core::convert::Into::into(::stream_core::Streamable::stream_pk(self))
                }
            }
        });
        id_variants.push(quote! { #[doc = #doc] #variant(#alias), });
        id_arms.push(quote! {
            if let ::core::option::Option::Some(key) = &self.#field {
                return ::core::option::Option::Some(FollowedId::#variant(::core::clone::Clone::clone(key)));
            }
        });
    }
    // One `FollowsIn` impl per action entity named in `actions`.
    let follows_in = input.actions.iter().map(|actions| {
        let actions = from_child(actions);
        let arms = input.models.iter().zip(followed).map(|(path, info)| {
            let path = from_child(path);
            let model = &info.model;
            let column = format_ident!("{}", upper_camel(&format!("followed_{}", info.name)));
            quote! {
                if let ::core::option::Option::Some(action_column) =
                    <#path::#model as ::stream_core::Involved<#actions::Entity>>::role_column(role)
                {
                    pairs.push((Column::#column, action_column));
                }
            }
        });
        quote! {
            #[automatically_derived]
            impl ::stream_core::FollowsIn<#actions::Entity> for Entity {
                fn column_pairs(
                    role: ::stream_core::Role,
                ) -> ::std::vec::Vec<(Column, <#actions::Entity as sea_orm::EntityTrait>::Column)> {
                    let mut pairs = ::std::vec::Vec::new();
                    #(#arms)*
                    pairs
                }
            }
        }
    });

    Ok(quote! {
        #(#attrs)*
        #vis mod #ident {
            use ::stream_core::__private::sea_orm;
            // sea-orm's derives name these items unqualified.
            #[allow(unused_imports)]
            use sea_orm::entity::prelude::*;

            /// When a follow started.
            pub type Timestamp = ::stream_core::__private::chrono::DateTime<::stream_core::__private::chrono::Utc>;
            /// The primary-key type of the follower.
            pub type FollowerPk = <#follower_path::#follower_model as ::stream_core::Streamable>::Pk;
            #(#aliases)*

            /// One follow: `follower` follows the object in the one non-null `followed_*` column.
            #[derive(Clone, Debug, PartialEq, sea_orm::DeriveEntityModel)]
            #[sea_orm(table_name = #table_name)]
            pub struct Model {
                /// The primary key.
                #[sea_orm(primary_key)]
                pub id: i64,
                /// Who follows.
                #[sea_orm(indexed)]
                pub follower: FollowerPk,
                /// Since when.
                pub timestamp: Timestamp,
                /// A hash of follower and followed object: following twice is one row.
                #[sea_orm(unique, column_type = "String(StringLen::N(64))")]
                pub follow_key: String,
                #(#fields)*
            }

            /// The foreign keys: the follower, and one per followable model.
            #[derive(Clone, Copy, Debug, sea_orm::EnumIter, sea_orm::DeriveRelation)]
            pub enum Relation {
                /// Who follows.
                #[sea_orm(belongs_to = #follower_fk, from = "Column::Follower", to = #follower_to, on_update = "Cascade", on_delete = "Cascade")]
                Follower,
                #(#relations)*
            }

            #[automatically_derived]
            impl sea_orm::ActiveModelBehavior for ActiveModel {}

            /// The followed object's primary key, tagged with its model.
            #[derive(Clone, Debug, PartialEq)]
            pub enum FollowedId { #(#id_variants)* }

            impl Model {
                /// What this follow is of.
                pub fn followed_id(&self) -> ::core::option::Option<FollowedId> {
                    #(#id_arms)*
                    ::core::option::Option::None
                }
            }

            #(#followable)*
            #(#follows_in)*

            #[automatically_derived]
            impl ::stream_core::FollowEntity for Entity {
                type Follower = #follower_path::#follower_model;
                const ID: Column = Column::Id;
                const FOLLOWER: Column = Column::Follower;
                const TIMESTAMP: Column = Column::Timestamp;
                const FOLLOW_KEY: Column = Column::FollowKey;

                fn followed_columns() -> &'static [Column] {
                    &[#(#columns),*]
                }
            }
        }
    })
}
