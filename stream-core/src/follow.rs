//! Follows: who follows what, and the user stream built from it.
//!
//! A follow table is declared once with [`follow_entity!`](crate::follow_entity), like the
//! action table: one real foreign-key column per followable model (`followed_user`,
//! `followed_group`, ..) plus the `follower`. The API lives on [`FollowEntity`]:
//!
//! ```
//! use stream_core::prelude::*;
//! # use stream_core::sea_orm::{self, entity::prelude::*};
//! # pub mod user {
//! #     use stream_core::sea_orm::{self, entity::prelude::*};
//! #     #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
//! #     #[sea_orm(table_name = "user")]
//! #     #[stream(actor, target, display = "username")]
//! #     pub struct Model { #[sea_orm(primary_key)] pub id: i32, pub username: String }
//! #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
//! #     pub enum Relation {}
//! #     impl ActiveModelBehavior for ActiveModel {}
//! # }
//! # #[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, stream_core::Verb)]
//! # #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
//! # pub enum Verb { #[sea_orm(string_value = "followed")] Followed, }
//! # stream_core::action_entity! {
//! #     pub mod action { table_name = "stream_action", verb = Verb, models = [user] }
//! # }
//! # stream_core::follow_entity! {
//! #     pub mod follow { table_name = "stream_follow", follower = user, models = [user], actions = [action] }
//! # }
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let db = sea_orm::Database::connect("sqlite::memory:").await?;
//! # db.get_schema_builder().register(user::Entity).register(action::Entity).register(follow::Entity).apply(&db).await?;
//! # let named = |name: &str| user::ActiveModel { username: sea_orm::Set(name.into()), ..Default::default() };
//! # let (lennon, hendrix) = (named("lennon").insert(&db).await?, named("hendrix").insert(&db).await?);
//! # action::Entity::send(&db, &hendrix, Verb::Followed).target(&lennon).await?;
//! # let starr = named("starr").insert(&db).await?;
//! # action::Entity::send(&db, &starr, Verb::Followed).target(&hendrix).await?;
//!
//! follow::Entity::follow(&db, &lennon, &hendrix).await?;        // true: newly followed
//! assert!(follow::Entity::is_following(&db, &lennon, &hendrix).await?);
//! let fans = follow::Entity::followers(&hendrix).all(&db).await?; // [lennon]
//! # assert_eq!(fans, [lennon.clone()]);
//! // Actions whose actor lennon follows, newest first, in one statement:
//! let feed = action::Entity::followed_by::<follow::Entity>(&lennon).page(None, 20).all(&db).await?;
//! # assert_eq!(feed.items.len(), 1);
//! // .. and those whose actor or target lennon follows:
//! let roles = [Role::Actor, Role::Target];
//! let feed = action::Entity::followed_by_in::<follow::Entity>(&lennon, &roles).all(&db).await?;
//! # assert_eq!(feed.len(), 2);
//! # Ok(())
//! # }
//! ```

use crate::{ActionEntity, Role, Streamable};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, Iterable, ModelTrait,
    PrimaryKeyToColumn, QueryFilter, QuerySelect, QueryTrait, Select, Value,
};
use sha2::{Digest, Sha256};

/// The entity of the follower model.
pub type FollowerEntity<F> = <<F as FollowEntity>::Follower as ModelTrait>::Entity;

/// A follow table declared by [`follow_entity!`](crate::follow_entity).
pub trait FollowEntity: EntityTrait<ActiveModel: Send> + Default + 'static {
    /// The model that follows (typically the user).
    type Follower: Streamable + Sync;

    /// The primary key column.
    const ID: Self::Column;
    /// The follower column.
    const FOLLOWER: Self::Column;
    /// When the follow started.
    const TIMESTAMP: Self::Column;
    /// A unique hash of follower and followed object.
    const FOLLOW_KEY: Self::Column;

    /// One column per followable model.
    fn followed_columns() -> &'static [Self::Column];

    /// Make `follower` follow `object`; `Ok(false)` when it already did.
    fn follow<C: ConnectionTrait>(
        db: &C,
        follower: &Self::Follower,
        object: &impl Followable<Self>,
    ) -> impl Future<Output = crate::Result<bool>> + Send {
        let key = follow_key::<Self, _>(follower, object);
        let changed = crate::live::FollowerKey::of::<Self>(&follower.stream_pk().into());
        let mut row = <Self::ActiveModel as ActiveModelTrait>::default();
        let values = [
            (Self::FOLLOWER, follower.stream_pk().into()),
            (Self::TIMESTAMP, crate::shared::now().into()),
            (Self::FOLLOW_KEY, Value::from(key)),
            (object.column(), object.followed_key()),
        ];
        let filled = values
            .into_iter()
            .try_for_each(|(column, value)| row.try_set(column, value));
        async move {
            filled?;
            // Not `exec_without_returning`: MySQL counts the conflict's no-op update as an
            // affected row. The insert id tells both cases apart on every backend.
            let inserted = Self::insert(row)
                .on_conflict_do_nothing_on([Self::FOLLOW_KEY])
                .exec(db)
                .await?;
            let inserted = matches!(inserted, sea_orm::TryInsertResult::Inserted(_));
            if inserted {
                crate::live::follows_changed(changed);
            }
            Ok(inserted)
        }
    }

    /// Make `follower` stop following `object`; `Ok(false)` when it did not follow it.
    fn unfollow<C: ConnectionTrait>(
        db: &C,
        follower: &Self::Follower,
        object: &impl Followable<Self>,
    ) -> impl Future<Output = crate::Result<bool>> + Send {
        let key = follow_key::<Self, _>(follower, object);
        let changed = crate::live::FollowerKey::of::<Self>(&follower.stream_pk().into());
        async move {
            let deleted = Self::delete_many()
                .filter(Self::FOLLOW_KEY.eq(key))
                .exec(db)
                .await?;
            if deleted.rows_affected > 0 {
                crate::live::follows_changed(changed);
            }
            Ok(deleted.rows_affected > 0)
        }
    }

    /// Whether `follower` follows `object`.
    fn is_following<C: ConnectionTrait>(
        db: &C,
        follower: &Self::Follower,
        object: &impl Followable<Self>,
    ) -> impl Future<Output = crate::Result<bool>> + Send {
        let key = follow_key::<Self, _>(follower, object);
        async move {
            let found = Self::find()
                .filter(Self::FOLLOW_KEY.eq(key))
                .one(db)
                .await?;
            Ok(found.is_some())
        }
    }

    /// The followers of `object`, as follower models.
    fn followers(object: &impl Followable<Self>) -> Select<FollowerEntity<Self>> {
        let who = Self::find()
            .select_only()
            .column(Self::FOLLOWER)
            .filter(object.column().eq(object.followed_key()))
            .into_query();
        FollowerEntity::<Self>::find()
            .filter(primary_key_column::<FollowerEntity<Self>>().in_subquery(who))
    }

    /// The follows of `follower`, newest first; `Model::followed_id()` says what each is of.
    fn following(follower: &Self::Follower) -> Select<Self> {
        use sea_orm::QueryOrder;
        Self::find()
            .filter(Self::FOLLOWER.eq(follower.stream_pk()))
            .order_by_desc(Self::TIMESTAMP)
            .order_by_desc(Self::ID)
    }

    /// The objects of model `M` that `follower` follows: `following_of::<user::Model>(&lennon)`.
    fn following_of<M>(follower: &Self::Follower) -> Select<M::Entity>
    where
        M: Followable<Self> + ModelTrait,
    {
        let which = Self::find()
            .select_only()
            .column(M::followed_column())
            .filter(Self::FOLLOWER.eq(follower.stream_pk()))
            .filter(M::followed_column().is_not_null())
            .into_query();
        M::Entity::find().filter(primary_key_column::<M::Entity>().in_subquery(which))
    }
}

/// A model that can be followed in the follow entity `F`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be followed in `{F}`",
    label = "not a followable model",
    note = "list the module of this model in `models = [..]` of `follow_entity!`"
)]
pub trait Followable<F: FollowEntity> {
    /// The follow-table column for this model (`FollowedUser`).
    fn followed_column() -> F::Column
    where
        Self: Sized;

    /// The key stored in that column for `self`.
    fn followed_key(&self) -> Value;

    /// The column, from a value (object-safe form of [`followed_column`](Self::followed_column)).
    #[doc(hidden)]
    fn column(&self) -> F::Column
    where
        Self: Sized,
    {
        Self::followed_column()
    }
}

/// How a follow entity maps onto the action entity `A`: for a role, the pairs of
/// (follow column, action column) of each model that is followable and plays that role.
/// Implemented by `follow_entity!` for each action entity listed in `actions = [..]`.
pub trait FollowsIn<A: ActionEntity>: FollowEntity {
    /// `(FollowedUser, ActorUser)`, `(FollowedGroup, ActorGroup)`, .. for `Role::Actor`.
    fn column_pairs(role: Role) -> Vec<(Self::Column, A::Column)>;
}

/// The condition "the object in one of `roles` is followed by `follower`": per model, the
/// action column `IN (SELECT followed_<model> FROM follow WHERE follower = ?)`.
pub(crate) fn followed_condition<A: ActionEntity, F: FollowsIn<A>>(
    follower: &F::Follower,
    roles: &[Role],
) -> Condition {
    let key: Value = follower.stream_pk().into();
    let mut condition = Condition::any();
    let mut any = false;
    for &role in roles {
        for (follow_column, action_column) in F::column_pairs(role) {
            let followed = F::find()
                .select_only()
                .column(follow_column)
                .filter(F::FOLLOWER.eq(key.clone()))
                .filter(follow_column.is_not_null())
                .into_query();
            condition = condition.add(action_column.in_subquery(followed));
            any = true;
        }
    }
    if !any {
        condition = condition.add(crate::lookup::nothing());
    }
    condition
}

fn primary_key_column<E: EntityTrait>() -> E::Column {
    E::PrimaryKey::iter()
        .next()
        .expect("a Streamable model has a primary key")
        .into_column()
}

fn follow_key<F: FollowEntity, O: Followable<F>>(follower: &F::Follower, object: &O) -> String {
    use sea_orm::IdenStatic;
    let digest = Sha256::new()
        .chain_update(F::default().table_name().as_bytes())
        .chain_update([0])
        .chain_update(format!("{:?}", follower.stream_pk().into()).as_bytes())
        .chain_update([0])
        .chain_update(O::followed_column().as_str().as_bytes())
        .chain_update([0])
        .chain_update(format!("{:?}", object.followed_key()).as_bytes())
        .finalize();
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}
