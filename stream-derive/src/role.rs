//! The three roles an object can have in an action, and everything the generated code spells
//! differently for each: one definition, so that no generator compares role names.

use proc_macro2::Ident;
use quote::format_ident;

/// A role as `stream_core::Role` knows it.
#[derive(Debug, PartialEq, Eq)]
pub struct Role {
    /// As written in `#[stream(..)]` and in column and method names: `action_object`.
    pub name: &'static str,
    /// The `stream_core::Role` variant and the role trait: `ActionObject`.
    pub variant: &'static str,
    /// In sentences: `action object`.
    pub words: &'static str,
    /// Whether every action has one (`actor`): its getter then returns the model, not an
    /// `Option`, and it cannot be `set_null`.
    pub required: bool,
}

pub const ACTOR: Role = Role {
    name: "actor",
    variant: "Actor",
    words: "actor",
    required: true,
};
pub const TARGET: Role = Role {
    name: "target",
    variant: "Target",
    words: "target",
    required: false,
};
pub const ACTION_OBJECT: Role = Role {
    name: "action_object",
    variant: "ActionObject",
    words: "action object",
    required: false,
};

/// Every role, in the order of the generated columns.
pub const ROLES: [&Role; 3] = [&ACTOR, &TARGET, &ACTION_OBJECT];

impl Role {
    pub fn named(name: &str) -> Option<&'static Role> {
        ROLES.into_iter().find(|role| role.name == name)
    }

    /// The `stream_core::Role` variant, which is also the name of the role's trait.
    pub fn variant(&self) -> Ident {
        format_ident!("{}", self.variant)
    }

    /// `as_actor`, the method of the role trait.
    pub fn as_fn(&self) -> Ident {
        format_ident!("as_{}", self.name)
    }

    /// `ActorId`: the role's primary key, tagged with its model.
    pub fn id_enum(&self) -> Ident {
        format_ident!("{}Id", self.variant)
    }

    /// `ActorModel`: the role's model, loaded.
    pub fn model_enum(&self) -> Ident {
        format_ident!("{}Model", self.variant)
    }

    /// `actor`: the field of `Loaded` and the getter that loads the model.
    pub fn ident(&self) -> Ident {
        format_ident!("{}", self.name)
    }

    /// `actor_id`.
    pub fn id_fn(&self) -> Ident {
        format_ident!("{}_id", self.name)
    }

    /// `set_actor`.
    pub fn set_fn(&self) -> Ident {
        format_ident!("set_{}", self.name)
    }

    /// `clear_target`, for optional roles.
    pub fn clear_fn(&self) -> Ident {
        format_ident!("clear_{}", self.name)
    }

    /// What deleting a referenced object does to the action: `SetNull` where the input's
    /// `set_null` lists the role, otherwise `Cascade`.
    pub fn on_delete(&self, set_null: &[Ident]) -> &'static str {
        if set_null.iter().any(|role| role == self.name) {
            "SetNull"
        } else {
            "Cascade"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_role() {
        assert_eq!(ACTION_OBJECT.as_fn(), "as_action_object");
        assert_eq!(ACTION_OBJECT.id_enum(), "ActionObjectId");
        assert_eq!(ACTION_OBJECT.model_enum(), "ActionObjectModel");
        assert_eq!(TARGET.clear_fn(), "clear_target");
        assert_eq!(Role::named("target"), Some(&TARGET));
        assert_eq!(Role::named("owner"), None);
    }

    #[test]
    fn only_the_actor_is_required() {
        let required: Vec<&str> = ROLES
            .iter()
            .filter(|r| r.required)
            .map(|r| r.name)
            .collect();
        assert_eq!(required, ["actor"]);
    }

    #[test]
    fn set_null_applies_to_the_listed_roles() {
        let set_null = [format_ident!("target")];
        assert_eq!(TARGET.on_delete(&set_null), "SetNull");
        assert_eq!(ACTION_OBJECT.on_delete(&set_null), "Cascade");
    }
}
