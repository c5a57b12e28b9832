//! Models that take part in activity streams, and the roles they can play.

use crate::ActionEntity;
use sea_orm::{ModelTrait, Value};

/// A sea-orm model registered with activity streams.
///
/// Implemented by `#[derive(Streamable)]`, which also records the roles the model may play
/// (`#[stream(actor, target, action_object)]`, any subset) so that the action-entity macro can
/// give it one column per role.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not `Streamable`, so `action_entity!` cannot list it",
    label = "listed in `models = [..]`",
    note = "add `#[derive(stream_core::Streamable)]` to `{Self}`, with `#[stream(..)]` naming the roles it plays (any of `actor`, `target`, `action_object`); if it has them, fix the error reported on its derive"
)]
pub trait Streamable: ModelTrait {
    /// The suffix of this model's columns in the action table (`user` → `actor_user`).
    const STREAM_NAME: &'static str;
    /// The type of the primary key.
    type Pk: Into<Value>
        + sea_orm::sea_query::Nullable
        + Clone
        + std::fmt::Debug
        + PartialEq
        + Send
        + Sync
        + 'static;
    /// The primary key of this row.
    fn stream_pk(&self) -> Self::Pk;

    /// How the model shows itself in a rendered action (and in the `Display` of the role
    /// enums `ActorModel`, `TargetModel`, `ActionObjectModel`).
    ///
    /// The derive writes it from `#[stream(display = "field")]` (that field's `Display`) or
    /// `#[stream(display)]` (the model's own `Display` impl); without either, a model shows
    /// as its stream name and primary key, e.g. `user 7`.
    fn fmt_display(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {:?}", Self::STREAM_NAME, self.stream_pk())
    }
}

/// One of the three roles an object can have in an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Who did it (required).
    Actor,
    /// What it was done to (optional).
    Target,
    /// What it was done with (optional).
    ActionObject,
}

impl Role {
    /// The role as words: `"actor"`, `"target"`, `"action object"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Actor => "actor",
            Role::Target => "target",
            Role::ActionObject => "action object",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An object in one role: the action-table column that holds it, and its primary key.
///
/// Only the generated code makes these from a model, so the key always has the column's type.
#[derive(Clone, Debug)]
pub struct RoleRef<A: ActionEntity> {
    column: A::Column,
    value: Value,
}

impl<A: ActionEntity> RoleRef<A> {
    pub(crate) fn new(column: A::Column, value: Value) -> Self {
        RoleRef { column, value }
    }

    #[doc(hidden)]
    pub fn __generated(column: A::Column, value: Value) -> Self {
        RoleRef { column, value }
    }

    /// The column, e.g. `Column::TargetPost`.
    pub fn column(&self) -> A::Column {
        self.column
    }

    /// The referenced primary key.
    pub fn value(&self) -> &Value {
        &self.value
    }
}

/// A model that can be the actor of actions in the action entity `A`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the actor of an action in `{A}`",
    label = "not registered as an actor",
    note = "to use a `{Self}` as an actor, add `actor` to the `#[stream(..)]` attribute of its model struct (e.g. `#[stream(actor, target)]`) and list its module in `action_entity!`'s `models`"
)]
pub trait Actor<A: ActionEntity> {
    /// The column and key that record `self` as actor.
    fn as_actor(&self) -> RoleRef<A>;
}

/// A model that can be the target of actions in the action entity `A`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the target of an action in `{A}`",
    label = "not registered as a target",
    note = "to use a `{Self}` as a target, add `target` to the `#[stream(..)]` attribute of its model struct (e.g. `#[stream(actor, target)]`) and list its module in `action_entity!`'s `models`"
)]
pub trait Target<A: ActionEntity> {
    /// The column and key that record `self` as target.
    fn as_target(&self) -> RoleRef<A>;
}

/// A model that can be the action object of actions in the action entity `A`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the action object of an action in `{A}`",
    label = "not registered as an action object",
    note = "to use a `{Self}` as an action object, add `action_object` to the `#[stream(..)]` attribute of its model struct (e.g. `#[stream(actor, action_object)]`) and list its module in `action_entity!`'s `models`"
)]
pub trait ActionObject<A: ActionEntity> {
    /// The column and key that record `self` as action object.
    fn as_action_object(&self) -> RoleRef<A>;
}

macro_rules! forward_role_for_refs {
    ($($trait:ident :: $method:ident),*) => {$(
        // Not suggested in errors: "`&T` implements `Actor`" only adds noise to the list of
        // the models that do.
        #[diagnostic::do_not_recommend]
        impl<A: ActionEntity, T: $trait<A> + ?Sized> $trait<A> for &T {
            fn $method(&self) -> RoleRef<A> {
                (**self).$method()
            }
        }
    )*};
}
forward_role_for_refs!(
    Actor::as_actor,
    Target::as_target,
    ActionObject::as_action_object
);

/// A model registered with the action entity `A`, in whichever roles it has: the key of the
/// any-role stream ([`ActionEntity::involving`](crate::ActionEntity::involving)) and of the
/// model stream ([`ActionEntity::involving_any`](crate::ActionEntity::involving_any)).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not registered with the action entity `{A}`",
    label = "not listed in the action entity",
    note = "derive `Streamable` on the model and list its module in `models = [..]` of the action entity macro"
)]
pub trait Involved<A: ActionEntity> {
    /// The action columns this model can appear in (`ActorUser`, `TargetUser`, ..).
    fn involved_columns() -> &'static [A::Column]
    where
        Self: Sized;

    /// The column this model has in `role`, if it plays that role.
    fn role_column(role: Role) -> Option<A::Column>
    where
        Self: Sized;

    /// The key stored in those columns for `self`.
    fn involved_key(&self) -> Value;
}
