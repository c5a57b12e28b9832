//! `follow_entity!`: who follows what, one foreign-key column per followable model.
//!
//! It rides the same relay as `action_entity!` (see `relay`): the state passed along is the
//! input prefixed with `follow`, and the follower's module is asked last.

use crate::attr::{Errors, path_text, upper_camel};
use crate::input::{
    ACTIONS, CRATE, EntityInput, FOLLOWER, Key, MODELS, TABLE_NAME, check_model_modules,
};
use crate::relay::{self, ModelInfo, Step, from_child};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{
    Attribute, Ident, LitStr, Path, Visibility,
    parse::{Parse, ParseStream},
};

const KEYS: &[Key] = &[TABLE_NAME, FOLLOWER, MODELS, ACTIONS, CRATE];

/// What the user wrote.
pub struct FollowInput {
    attrs: Vec<Attribute>,
    vis: Visibility,
    ident: Ident,
    krate: Path,
    table_name: LitStr,
    follower: Path,
    models: Vec<Path>,
    actions: Vec<Path>,
}

impl Parse for FollowInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        // The relay's state starts with `follow`; the user's input does not.
        if input.peek(Ident) && input.fork().parse::<Ident>()? == "follow" {
            input.parse::<Ident>()?;
        }
        let mut errors = Errors::default();
        let EntityInput {
            attrs,
            vis,
            ident,
            mut entries,
        } = EntityInput::parse(
            input,
            "follow_entity",
            KEYS,
            "pub mod follow { table_name = \"stream_follow\", follower = crate::user, models = [crate::user] }",
            &mut errors,
        )?;
        let table_name = entries.take_str(TABLE_NAME, &mut errors);
        let follower = entries.take_path(FOLLOWER, &mut errors);
        let models = entries.take_list(
            MODELS,
            "the modules of the models users can follow",
            &mut errors,
        );
        check_model_modules(FOLLOWER, &follower, &mut errors);
        check_model_modules(MODELS, models.iter().flatten(), &mut errors);
        let actions = entries.take_optional_list(ACTIONS);
        let krate = entries.take_crate();
        errors.finish()?;
        Ok(FollowInput {
            attrs,
            vis,
            ident,
            krate,
            table_name: table_name.expect("a missing key is an error"),
            follower: follower.expect("a missing key is an error"),
            models: models.expect("a missing key is an error"),
            actions,
        })
    }
}

impl FollowInput {
    /// The followable models, then the follower.
    fn relay_models(&self) -> Vec<Path> {
        let mut models = self.models.clone();
        models.push(self.follower.clone());
        models
    }

    fn to_state(&self) -> TokenStream {
        let FollowInput {
            attrs,
            vis,
            ident,
            krate,
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
                crate = #krate,
            }
        }
    }
}

/// The first pass of `follow_entity!`.
pub fn expand(tokens: TokenStream) -> syn::Result<TokenStream> {
    let input: FollowInput = syn::parse2(tokens)?;
    let FollowInput {
        attrs, vis, ident, ..
    } = &input;
    let actions: Vec<&Path> = input.actions.iter().collect();
    Ok(relay::first_pass(
        (attrs, vis, ident),
        &input.relay_models(),
        &actions,
        &input.krate,
        &input.to_state(),
    ))
}

/// A step of the relay for `follow_entity!`: ask the next model, or emit the entity.
pub fn step(step: Step) -> syn::Result<TokenStream> {
    let input: FollowInput = syn::parse2(step.state.clone())?;
    step.advance(
        &input.relay_models(),
        &input.krate,
        input.ident.span(),
        |infos| emit(&input, infos),
    )
}

fn check(input: &FollowInput, followed: &[ModelInfo]) -> syn::Result<()> {
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
    errors.finish()
}

/// A followable model and its generated names.
struct Followed<'a> {
    path: TokenStream,
    info: &'a ModelInfo,
    /// `User`: the `FollowedId` variant.
    variant: Ident,
    /// `UserPk`.
    alias: Ident,
    /// `followed_user`.
    field: Ident,
    /// `FollowedUser`.
    column: Ident,
}

/// The last pass: every model has answered.
fn emit(input: &FollowInput, infos: &[ModelInfo]) -> syn::Result<TokenStream> {
    let (followed, follower) = infos.split_at(infos.len() - 1);
    check(input, followed)?;
    let followed: Vec<Followed> = input
        .models
        .iter()
        .zip(followed)
        .map(|(path, info)| {
            let variant = format_ident!("{}", upper_camel(&info.name));
            let field = format_ident!("followed_{}", info.name);
            Followed {
                path: from_child(path),
                info,
                alias: format_ident!("{variant}Pk"),
                column: format_ident!("{}", upper_camel(&field.to_string())),
                field,
                variant,
            }
        })
        .collect();
    let krate = &input.krate;
    let private = quote! { #krate::__private };
    let model = model(input, &follower[0], &followed, &private);
    let followable = followed.iter().map(|f| followable(f, &private));
    let follows_in = input
        .actions
        .iter()
        .map(|a| follows_in(a, &followed, &private));
    let columns = followed.iter().map(|f| &f.column);
    let follower_model = {
        let (path, model) = (from_child(&input.follower), &follower[0].model);
        quote! { #path::#model }
    };
    // The items of the module the first pass declared.
    Ok(quote! {
        use #private::sea_orm;
            // sea-orm's derives name these items unqualified.
            #[allow(unused_imports)]
            use sea_orm::entity::prelude::*;

            #model
            #(#followable)*
            #(#follows_in)*

            #[automatically_derived]
            impl #private::FollowEntity for Entity {
                type Follower = #follower_model;
                const ID: Column = Column::Id;
                const FOLLOWER: Column = Column::Follower;
                const TIMESTAMP: Column = Column::Timestamp;
                const FOLLOW_KEY: Column = Column::FollowKey;

                fn followed_columns() -> &'static [Column] {
                    &[#(Column::#columns),*]
                }
            }
    })
}

/// The type aliases, `Model`, `Relation` and `FollowedId`.
fn model(
    input: &FollowInput,
    follower: &ModelInfo,
    followed: &[Followed],
    private: &TokenStream,
) -> TokenStream {
    let table_name = &input.table_name;
    let follower_path = from_child(&input.follower);
    let follower_model = &follower.model;
    let follower_fk = format!("{}::Entity", path_text(&follower_path));
    let follower_to = format!(
        "{}::Column::{}",
        path_text(&follower_path),
        follower.pk_column
    );
    let mut aliases = Vec::new();
    let mut fields = Vec::new();
    let mut relations = Vec::new();
    let mut id_variants = Vec::new();
    let mut id_arms = Vec::new();
    for Followed {
        path,
        info,
        variant,
        alias,
        field,
        column,
    } in followed
    {
        let (model, doc) = (&info.model, format!("The followed `{}`.", info.name));
        aliases.push(quote! {
            #[doc = #doc]
            pub type #alias = <#path::#model as #private::Streamable>::Pk;
        });
        fields.push(quote! {
            #[doc = #doc]
            #[sea_orm(indexed)]
            pub #field: Option<#alias>,
        });
        let belongs_to = format!("{}::Entity", path_text(path));
        let to = format!("{}::Column::{}", path_text(path), info.pk_column);
        let from = format!("Column::{column}");
        relations.push(quote! {
            #[doc = #doc]
            #[sea_orm(belongs_to = #belongs_to, from = #from, to = #to, on_update = "Cascade", on_delete = "Cascade")]
            #column,
        });
        id_variants.push(quote! { #[doc = #doc] #variant(#alias), });
        id_arms.push(quote! {
            if let ::core::option::Option::Some(key) = &self.#field {
                return ::core::option::Option::Some(FollowedId::#variant(::core::clone::Clone::clone(key)));
            }
        });
    }
    quote! {
        /// When a follow started.
        pub type Timestamp = #private::chrono::DateTime<#private::chrono::Utc>;
        /// The primary-key type of the follower.
        pub type FollowerPk = <#follower_path::#follower_model as #private::Streamable>::Pk;
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
    }
}

/// `Followable` for a followable model: its column.
fn followable(followed: &Followed, private: &TokenStream) -> TokenStream {
    let (path, model, column) = (&followed.path, &followed.info.model, &followed.column);
    quote! {
        #[automatically_derived]
        impl #private::Followable<Entity> for #path::#model {
            fn followed_column() -> Column {
                Column::#column
            }
            fn followed_key(&self) -> sea_orm::Value {
                ::core::convert::Into::into(#private::Streamable::stream_pk(self))
            }
        }
    }
}

/// `FollowsIn` for one action entity named in `actions`: which follow column matches which
/// action column, role by role.
fn follows_in(actions: &Path, followed: &[Followed], private: &TokenStream) -> TokenStream {
    let actions = from_child(actions);
    let arms = followed.iter().map(|f| {
        let (path, model, column) = (&f.path, &f.info.model, &f.column);
        quote! {
            if let ::core::option::Option::Some(action_column) =
                <#path::#model as #private::Involved<#actions::Entity>>::role_column(role)
            {
                pairs.push((Column::#column, action_column));
            }
        }
    });
    quote! {
        #[automatically_derived]
        impl #private::FollowsIn<#actions::Entity> for Entity {
            fn column_pairs(
                role: #private::Role,
            ) -> ::std::vec::Vec<(Column, <#actions::Entity as sea_orm::EntityTrait>::Column)> {
                let mut pairs = ::std::vec::Vec::new();
                #(#arms)*
                pairs
            }
        }
    }
}
