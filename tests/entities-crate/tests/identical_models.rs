//! Two models written token for token alike, in two modules of one crate: each derive exports
//! its relay macro at the crate root under a name made from where the model is as well as from
//! what it is, so the names differ, the crate compiles, and each action entity learns the roles
//! of the model it lists.

use stream_core::sea_orm::{self, entity::prelude::*};

/// Members, once.
pub mod first {
    use stream_core::sea_orm::{self, entity::prelude::*};

    /// A member.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
    #[sea_orm(table_name = "member")]
    #[stream(actor)]
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

/// Members, again.
pub mod second {
    use stream_core::sea_orm::{self, entity::prelude::*};

    /// A member.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
    #[sea_orm(table_name = "member")]
    #[stream(actor)]
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

/// What members do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, stream_core::Verb)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
pub enum Verb {
    /// Someone joined.
    #[sea_orm(string_value = "joined")]
    Joined,
}

stream_core::action_entity! {
    /// Actions of the first.
    pub mod first_action { table_name = "first_action", verb = Verb, models = [first] }
}

stream_core::action_entity! {
    /// Actions of the second.
    pub mod second_action { table_name = "second_action", verb = Verb, models = [second] }
}

#[test]
fn each_of_two_identical_models_answers_for_its_own_entity() {
    use stream_core::sea_orm::{EntityName, Iden, RelationTrait};

    // Each entity's actor enum holds the model of the module it lists.
    let first = first_action::ActorModel::Member(first::Model { id: 1 });
    let second = second_action::ActorModel::Member(second::Model { id: 2 });
    assert_eq!(
        (first.to_string(), second.to_string()),
        ("member 1".to_owned(), "member 2".to_owned())
    );
    assert_eq!(
        first_action::Column::ActorMember.to_string(),
        "actor_member"
    );
    assert_eq!(
        first_action::Relation::ActorMember.def().to_tbl,
        second_action::Relation::ActorMember.def().to_tbl,
    );
    assert_eq!(second_action::Entity.table_name(), "second_action");
}
