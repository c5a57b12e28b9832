// A module that re-exports the items of the model's module, not the module itself.

pub mod user {
    pub use entities::user::{ActiveModel, Column, Entity, Model};
}

streams::action_entity! {
    pub mod action {
        table_name = "action",
        verb = entities::verb::Verb,
        models = [crate::user],
        crate = ::streams,
    }
}

fn main() {
    let _ = action::Column::ActorUser;
}
