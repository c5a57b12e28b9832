//! Rules across the listed models, checked once all have answered.

use super::{ActionInput, Registered};
use crate::attr::{Errors, upper_camel};
use crate::role::ACTOR;

pub fn check(input: &ActionInput, models: &[Registered]) -> syn::Result<()> {
    let mut errors = Errors::default();
    for (i, model) in models.iter().enumerate() {
        // By variant: `a_b` and `a__b` (or `a1` and `a_1`) make the same `Column::ActorA1`.
        let Some(earlier) = models[..i].iter().find(|m| m.variant == model.variant) else {
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
    if !models.iter().any(|m| m.plays(&ACTOR)) {
        errors.push(syn::Error::new_spanned(
            &input.ident,
            "no listed model can be an actor; every action needs one, so add `actor` to a model's `#[stream(..)]`",
        ));
    }
    errors.finish()
}
