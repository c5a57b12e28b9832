//! An application that depends on stream-core as `activity`: its models, verb, action entity
//! and follow entity name the crate with `crate = ::activity`.

/// People, who act and are followed.
pub mod person {
    use activity::sea_orm::{self, entity::prelude::*};

    /// A person.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, activity::Streamable)]
    #[sea_orm(table_name = "person")]
    #[stream(actor, target, display = "name", crate = ::activity)]
    pub struct Model {
        /// Primary key.
        #[sea_orm(primary_key)]
        pub id: i32,
        /// Display name.
        pub name: String,
    }

    /// None.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Songs, which people play.
pub mod song {
    use activity::sea_orm::{self, entity::prelude::*};

    /// A song.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, activity::Streamable)]
    #[sea_orm(table_name = "song")]
    // Quoted, as serde's `#[serde(crate = "...")]`.
    #[stream(action_object, crate = "activity")]
    pub struct Model {
        /// Primary key.
        #[sea_orm(primary_key)]
        pub id: i32,
        /// The title.
        pub title: String,
    }

    /// None.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// What people do.
pub mod verb {
    use activity::sea_orm::{self, entity::prelude::*};

    /// A verb.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, activity::Verb)]
    #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
    #[verb(crate = ::activity)]
    pub enum Verb {
        /// Someone follows someone.
        #[sea_orm(string_value = "followed")]
        Followed,
        /// Someone played a song for someone.
        #[sea_orm(string_value = "played")]
        #[verb(label = "played for")]
        Played,
    }
}

activity::action_entity! {
    /// The activity stream.
    pub mod action {
        table_name = "action",
        verb = crate::verb::Verb,
        models = [crate::person, crate::song],
        crate = ::activity,
    }
}

activity::follow_entity! {
    /// Who follows whom.
    pub mod follow {
        table_name = "follow",
        follower = crate::person,
        models = [crate::person],
        actions = [crate::action],
        crate = activity,
    }
}
