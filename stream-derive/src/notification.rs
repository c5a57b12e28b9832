//! `notification_entity!`: the inboxes, one row per recipient and action.
//!
//! It rides the same relay as `action_entity!` and `follow_entity!` (see `relay`): the state
//! passed along is the input prefixed with `notification`, and the recipient's module is the
//! only model asked (for its primary-key column).

use crate::attr::{Errors, path_text};
use crate::input::{
    ACTION_ENTITY, CRATE, EntityInput, Key, RECIPIENT, TABLE_NAME, check_model_modules,
};
use crate::relay::{self, ModelInfo, Step, from_child, name_span};
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::{
    Attribute, Ident, LitStr, Path, Visibility,
    parse::{Parse, ParseStream},
};

const KEYS: &[Key] = &[TABLE_NAME, RECIPIENT, ACTION_ENTITY, CRATE];

/// What the user wrote.
pub struct NotificationInput {
    attrs: Vec<Attribute>,
    vis: Visibility,
    ident: Ident,
    krate: Path,
    table_name: LitStr,
    recipient: Path,
    actions: Path,
}

impl Parse for NotificationInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        // The relay's state starts with `notification`; the user's input does not.
        if input.peek(Ident) && input.fork().parse::<Ident>()? == "notification" {
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
            "notification_entity",
            KEYS,
            "pub mod notification { table_name = \"stream_notification\", recipient = crate::user, actions = crate::action }",
            &mut errors,
        )?;
        let table_name = entries.take_str(TABLE_NAME, &mut errors);
        let recipient = entries.take_path(RECIPIENT, &mut errors);
        let actions = entries.take_path(ACTION_ENTITY, &mut errors);
        check_model_modules(RECIPIENT, &recipient, &mut errors);
        if let Some(actions) = &actions {
            check_action_module(actions, &mut errors);
        }
        let krate = entries.take_crate();
        errors.finish()?;
        Ok(NotificationInput {
            attrs,
            vis,
            ident,
            krate,
            table_name: table_name.expect("a missing key is an error"),
            recipient: recipient.expect("a missing key is an error"),
            actions: actions.expect("a missing key is an error"),
        })
    }
}

/// `actions = crate::action::Entity` (an item of the module, not the module) is reported with
/// the module to write instead.
fn check_action_module(path: &Path, errors: &mut Errors) {
    let Some(last) = path.segments.last() else {
        return;
    };
    if !["Entity", "Model", "Column", "ActiveModel"].contains(&last.ident.to_string().as_str()) {
        return;
    }
    let mut module = path.clone();
    module.segments.pop();
    let module = path_text(&quote! { #module });
    let module = module.trim_end_matches("::");
    errors.push(syn::Error::new_spanned(
        path,
        format!(
            "`actions` takes the module that `action_entity!` declares, not its `{}`: write `{module}`",
            last.ident
        ),
    ));
}

impl NotificationInput {
    fn to_state(&self) -> TokenStream {
        let NotificationInput {
            attrs,
            vis,
            ident,
            krate,
            table_name,
            recipient,
            actions,
        } = self;
        quote! {
            notification #(#attrs)* #vis mod #ident {
                table_name = #table_name,
                recipient = #recipient,
                actions = #actions,
                crate = #krate,
            }
        }
    }
}

/// The first pass of `notification_entity!`.
pub fn expand(tokens: TokenStream) -> syn::Result<TokenStream> {
    let input: NotificationInput = syn::parse2(tokens)?;
    let NotificationInput {
        attrs, vis, ident, ..
    } = &input;
    Ok(relay::first_pass(
        (attrs, vis, ident),
        std::slice::from_ref(&input.recipient),
        &[&input.actions],
        &input.krate,
        &input.to_state(),
    ))
}

/// A step of the relay for `notification_entity!`: ask the recipient, or emit the entity.
pub fn step(step: Step) -> syn::Result<TokenStream> {
    let input: NotificationInput = syn::parse2(step.state.clone())?;
    step.advance(
        std::slice::from_ref(&input.recipient),
        &input.krate,
        input.ident.span(),
        |infos| Ok(emit(&input, &infos[0])),
    )
}

/// The last pass: the recipient has answered.
fn emit(input: &NotificationInput, recipient: &ModelInfo) -> TokenStream {
    let krate = &input.krate;
    let private = quote! { #krate::__private };
    let table_name = &input.table_name;
    let recipient_path = from_child(&input.recipient);
    let recipient_model = &recipient.model;
    let recipient_fk = format!("{}::Entity", path_text(&recipient_path));
    let recipient_to = format!(
        "{}::Column::{}",
        path_text(&recipient_path),
        recipient.pk_column
    );
    let actions = from_child(&input.actions);
    let action_fk = format!("{}::Entity", path_text(&actions));
    let action_to = format!("{}::Column::Id", path_text(&actions));
    // A path that is not an action entity's module is reported where the user wrote it.
    let actions_type = quote_spanned! {name_span(&input.actions)=>
        type Actions = #actions::Entity;
    };
    quote! {
        use #private::sea_orm;
        // sea-orm's derives name these items unqualified.
        #[allow(unused_imports)]
        use sea_orm::entity::prelude::*;

        /// A point in time, as stored.
        pub type Timestamp = #private::chrono::DateTime<#private::chrono::Utc>;
        /// The primary-key type of the recipient.
        pub type RecipientPk = <#recipient_path::#recipient_model as #private::Streamable>::Pk;

        /// One notification: `action` in the inbox of `recipient`.
        // `DeriveEntityModel` reads `Option<..>` by name to make a column nullable; this
        // module is ours, so the prelude's `Option` is the one meant.
        #[derive(Clone, Debug, PartialEq, sea_orm::DeriveEntityModel)]
        #[sea_orm(table_name = #table_name)]
        pub struct Model {
            /// The primary key.
            #[sea_orm(primary_key)]
            pub id: i64,
            /// Whose inbox it is in.
            #[sea_orm(unique_key = "recipient_action")]
            pub recipient: RecipientPk,
            /// The action it tells of.
            #[sea_orm(unique_key = "recipient_action", indexed)]
            pub action: i64,
            /// The action's timestamp, copied so that an inbox page is one index walk.
            pub timestamp: Timestamp,
            /// When the recipient first saw it in the inbox; `None` while unseen.
            pub seen_at: Option<Timestamp>,
            /// When the recipient opened it; `None` while unread.
            pub read_at: Option<Timestamp>,
        }

        /// The foreign keys: the recipient and the action, both `ON DELETE CASCADE`.
        #[derive(Clone, Copy, Debug, sea_orm::EnumIter, sea_orm::DeriveRelation)]
        pub enum Relation {
            /// Whose inbox it is in.
            #[sea_orm(belongs_to = #recipient_fk, from = "Column::Recipient", to = #recipient_to, on_update = "Cascade", on_delete = "Cascade")]
            Recipient,
            /// The action it tells of.
            #[sea_orm(belongs_to = #action_fk, from = "Column::Action", to = #action_to, on_update = "Cascade", on_delete = "Cascade")]
            Action,
        }

        #[automatically_derived]
        impl sea_orm::ActiveModelBehavior for ActiveModel {}

        #[automatically_derived]
        impl #private::NotificationEntity for Entity {
            type Recipient = #recipient_path::#recipient_model;
            #actions_type
            const ID: Column = Column::Id;
            const RECIPIENT: Column = Column::Recipient;
            const ACTION: Column = Column::Action;
            const TIMESTAMP: Column = Column::Timestamp;
            const SEEN_AT: Column = Column::SeenAt;
            const READ_AT: Column = Column::ReadAt;
        }
    }
}
