//! The macros' generated code reaches everything by its full path: items that shadow the names
//! of `core`, `std`, sea-orm and this library where the macros expand change nothing, and the
//! expansion triggers no warning.

#![deny(warnings)]

// Shadows at the crate root, where `action_entity!` is invoked. Never used: they only have to be
// in scope.
#[allow(dead_code)]
struct Result;
#[allow(dead_code)]
struct Ok;
#[allow(dead_code)]
struct Err;
#[allow(dead_code)]
struct Some;
#[allow(dead_code)]
struct None;
#[allow(dead_code)]
struct Option;
#[allow(dead_code)]
struct String;
#[allow(dead_code)]
struct Vec;
#[allow(dead_code)]
struct Box;
#[allow(dead_code)]
struct Clone;
#[allow(dead_code)]
struct Into;
#[allow(dead_code)]
struct Default;
#[allow(dead_code)]
struct Value;
#[allow(dead_code)]
struct Column;
#[allow(dead_code)]
struct Entity;
#[allow(dead_code)]
struct Model;
#[allow(dead_code)]
struct Relation;
#[allow(dead_code)]
trait Streamable {}
#[allow(dead_code)]
trait Actor {}
#[allow(dead_code)]
trait Target {}
#[allow(dead_code)]
trait ActionObject {}
#[allow(dead_code)]
trait ActionEntity {}
#[allow(dead_code)]
trait Verb {}
#[allow(dead_code)]
trait PublicActions {}
#[allow(dead_code)]
trait ActionData {}
#[allow(dead_code)]
mod sea_orm {}
#[allow(dead_code)]
mod chrono {}
#[allow(dead_code)]
mod core {}

/// A model in every role. sea-orm's own derives expand in this module too, so the shadows here
/// are only those that they do not care about.
pub mod user {
    use stream_core::sea_orm::{self, entity::prelude::*};

    #[allow(dead_code)]
    struct Streamable;
    #[allow(dead_code)]
    trait Actor {}
    #[allow(dead_code)]
    mod core {}

    /// A user.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
    #[sea_orm(table_name = "user")]
    #[stream(actor, target, action_object)]
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

/// A model in one role, with its own column suffix and a primary key that is not `id`.
pub mod post {
    use stream_core::sea_orm::{self, entity::prelude::*};

    #[allow(dead_code)]
    struct Streamable;
    #[allow(dead_code)]
    trait Target {}
    #[allow(dead_code)]
    mod core {}
    #[allow(dead_code)]
    struct As2Object;
    #[allow(dead_code)]
    struct String;

    /// A post.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
    #[sea_orm(table_name = "blog_post")]
    #[stream(
        target,
        name = "post",
        as2(type = "Article", name = "slug", url = "/posts/{slug}")
    )]
    pub struct Model {
        /// Primary key.
        #[sea_orm(primary_key, auto_increment = false)]
        pub slug: ::std::string::String,
    }

    /// None.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The verbs.
pub mod verbs {
    use stream_core::sea_orm::{self, entity::prelude::*};

    #[allow(dead_code)]
    trait Verb {}
    #[allow(dead_code)]
    mod core {}
    #[allow(dead_code)]
    struct Grouping;
    #[allow(dead_code)]
    enum Role {}
    #[allow(dead_code)]
    enum Period {}

    /// What an actor did.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, stream_core::Verb)]
    #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
    pub enum Activity {
        /// Someone follows someone.
        #[sea_orm(string_value = "follow")]
        #[verb(label = "follows", as2 = "Follow", group_by = "actor, target, week")]
        Follow,
        /// Someone wrote something.
        #[sea_orm(string_value = "wrote")]
        Wrote,
    }
}

stream_core::action_entity! {
    /// The action table.
    pub mod action {
        table_name = "stream_action",
        verb = crate::verbs::Activity,
        models = [crate::user, crate::post],
        set_null = [target],
        public = true,
        notify = notification,
    }
}

stream_core::notification_entity! {
    /// The inboxes.
    pub mod notification {
        table_name = "stream_notification",
        recipient = user,
        actions = action,
    }
}

impl stream_core::NotificationRules<action::Entity> for notification::Entity {
    fn recipients(action: &action::Model, to: &mut stream_core::Recipients<Self>) {
        to.keys(action.actor_user);
    }
}

// Paths that start with a plain name reach the generated module through a glob import of this
// module, which holds every shadow above.
stream_core::follow_entity! {
    /// The follow table.
    pub mod follow {
        table_name = "stream_follow",
        follower = user,
        models = [user, post],
        actions = [action],
    }
}

#[test]
fn the_macros_expand_under_shadowed_names() {
    use stream_core::sea_orm::{EntityName, Iden};

    assert_eq!(action::Entity.table_name(), "stream_action");
    assert_eq!(action::Column::ActorUser.to_string(), "actor_user");
    assert_eq!(action::Column::TargetPost.to_string(), "target_post");
    assert_eq!(action::Column::Public.to_string(), "public");
    assert_eq!(follow::Column::FollowedPost.to_string(), "followed_post");
    assert_eq!(notification::Column::SeenAt.to_string(), "seen_at");
    assert_eq!(
        <post::Model as stream_core::Streamable>::STREAM_NAME,
        "post"
    );
    assert_eq!(
        stream_core::Verb::label(&verbs::Activity::Follow),
        "follows"
    );
    assert_eq!(stream_core::Verb::label(&verbs::Activity::Wrote), "Wrote");
    assert_eq!(
        stream_core::Verb::grouping(&verbs::Activity::Follow).to_string(),
        "actor, target, week"
    );
    assert_eq!(
        stream_core::Verb::grouping(&verbs::Activity::Wrote),
        stream_core::Grouping::DEFAULT
    );
}
