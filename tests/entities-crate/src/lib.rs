//! The models of an application, in a crate of their own, laid out as sea-orm-cli generates
//! them: one module per table and a `prelude`. The action and follow entities over them are
//! declared in another crate (`tests/app-crate`).

pub mod blog;
pub mod group;
pub mod prelude;
pub mod user;
pub mod verb;

pub use internal::tag;

mod internal {
    //! Models reached from outside only through a re-export of their module.

    /// Tags, which are reached as `entities::tag`.
    pub mod tag {
        use stream_core::sea_orm::{self, entity::prelude::*};

        /// A tag on a post.
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
        #[sea_orm(table_name = "tag")]
        #[stream(target, display = "label")]
        pub struct Model {
            /// Primary key: the tag as written.
            #[sea_orm(primary_key, auto_increment = false)]
            pub label: String,
        }

        /// None.
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }
}

/// A table that takes no part in streams: no `#[derive(Streamable)]`.
pub mod audit {
    use stream_core::sea_orm::{self, entity::prelude::*};

    /// An audit record.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit")]
    pub struct Model {
        /// Primary key.
        #[sea_orm(primary_key)]
        pub id: i32,
    }

    /// None.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

#[allow(dead_code)]
mod private {
    //! A model in a module that other crates cannot name.

    /// Drafts, private to this crate.
    pub mod draft {
        use stream_core::sea_orm::{self, entity::prelude::*};

        /// A draft.
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
        #[sea_orm(table_name = "draft")]
        #[stream(action_object)]
        pub struct Model {
            /// Primary key.
            #[sea_orm(primary_key)]
            pub id: i32,
        }

        /// None.
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }
}
