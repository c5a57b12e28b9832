//! An application whose models live in another crate, `entities` (`tests/entities-crate`), as
//! sea-orm-cli lays them out, and whose action and follow entities live here. It knows
//! stream-core as `streams`.
//!
//! `models = [..]` names each model's module by any path that reaches it from here: through the
//! other crate (`entities::user`, `::entities::group`), a local alias of that crate
//! (`db::blog::post`), a local re-export of the module (`reexports::comment`), a module the other
//! crate re-exports (`entities::tag`), or a module of this crate (`crate::note`).

use entities as db;

mod reexports {
    pub use entities::blog::comment;
}

/// Notes, a model of the application itself, next to the ones of the other crate.
pub mod note {
    use streams::sea_orm::{self, entity::prelude::*};

    /// A note.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, streams::Streamable)]
    #[sea_orm(table_name = "note")]
    #[stream(action_object, display = "text", crate = ::streams)]
    pub struct Model {
        /// Primary key.
        #[sea_orm(primary_key)]
        pub id: i32,
        /// What the note says.
        pub text: String,
    }

    /// None.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

streams::action_entity! {
    /// The activity stream.
    pub mod action {
        table_name = "action",
        verb = entities::verb::Verb,
        models = [
            entities::user,
            ::entities::group,
            db::blog::post,
            reexports::comment,
            entities::tag,
            crate::note,
        ],
        crate = ::streams,
    }
}

streams::follow_entity! {
    /// Who follows whom or what.
    pub mod follow {
        table_name = "follow",
        follower = entities::user,
        models = [entities::user, db::group, entities::blog::post],
        actions = [action],
        crate = ::streams,
    }
}
