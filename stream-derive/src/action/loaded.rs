//! `LoadedAction` for `Loaded`: the action row and its roles' models as the formats
//! (Activity Streams, Atom) read them, each model behind `&dyn StreamObject`.

use super::{Plan, Slot};
use crate::role::{ACTION_OBJECT, ACTOR, Role, TARGET};
use proc_macro2::TokenStream;
use quote::quote;

pub fn generate(plan: &Plan) -> TokenStream {
    let private = &plan.private;
    let actor = role_object(plan, &ACTOR);
    let target = optional_role_object(plan, &TARGET);
    let action_object = optional_role_object(plan, &ACTION_OBJECT);
    quote! {
        #[automatically_derived]
        impl #private::LoadedAction for Loaded {
            type Entity = Entity;
            fn action(&self) -> &Model {
                &self.action
            }
            fn verb(&self) -> &ActionVerb {
                &self.action.verb
            }
            fn description(&self) -> ::core::option::Option<&str> {
                ::core::option::Option::as_deref(&self.action.description)
            }
            fn actor(&self) -> &dyn #private::StreamObject {
                let model = &self.actor;
                #actor
            }
            fn target(&self) -> ::core::option::Option<&dyn #private::StreamObject> {
                match self.target {
                    ::core::option::Option::None => ::core::option::Option::None,
                    ::core::option::Option::Some(ref model) => #target,
                }
            }
            fn action_object(&self) -> ::core::option::Option<&dyn #private::StreamObject> {
                match self.action_object {
                    ::core::option::Option::None => ::core::option::Option::None,
                    ::core::option::Option::Some(ref model) => #action_object,
                }
            }
        }
    }
}

/// `match *model { ActorModel::User(ref m) => m, .. }`: the model inside a role's enum (an
/// enum without variants, for a role no model plays, matches with no arm).
fn role_object(plan: &Plan, role: &Role) -> TokenStream {
    let private = &plan.private;
    let model_enum = role.model_enum();
    let slots: Vec<&Slot> = plan.slots_of(role).collect();
    let arms = slots.iter().map(|slot| {
        let variant = &slot.model.variant;
        quote! { #model_enum::#variant(ref model) => model as &dyn #private::StreamObject, }
    });
    quote! { match *model { #(#arms)* } }
}

/// `Some(<role_object>)`, or the bare match where no model plays the role: `Some` of a
/// match without arms would be an unreachable call, a warning in the user's crate.
fn optional_role_object(plan: &Plan, role: &Role) -> TokenStream {
    let object = role_object(plan, role);
    if plan.slots_of(role).next().is_none() {
        object
    } else {
        quote! { ::core::option::Option::Some(#object) }
    }
}
