//! Aggregated streams: "hendrix, joplin and 3 others liked Wild Haze", computed when a stream
//! is read.
//!
//! [`Aggregate::aggregated`] turns any stream (`for_target(&post)`, `stream()`, a filtered
//! select of your own) into groups of actions. Two actions are one group when they have the
//! same verb and the same key under that verb's [`Grouping`] (declared per variant with
//! `#[verb(group_by = "target, day")]`, by default the same target on the same UTC day). A
//! page of groups is **one SQL statement**, newest group first, paged by the [`Cursor`] of
//! each group's newest action; each [`Group`] carries the number of its actions, the number
//! of distinct actors, and the newest action of each of its newest distinct actors, loaded
//! with their models as a hydrated page loads them.
//!
//! Grouping happens in that statement, not when actions are written: change a verb's
//! `group_by` and every stored action regroups on the next read.
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
//! #[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, stream_core::Verb)]
//! #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
//! pub enum Verb {
//!     // The default rule, written out: likes of one target on one UTC day are one group.
//!     #[sea_orm(string_value = "liked")]
//!     #[verb(group_by = "target, day")]
//!     Liked,
//!     // Every comment shows on its own.
//!     #[sea_orm(string_value = "commented")]
//!     #[verb(group_by = "none")]
//!     Commented,
//! }
//! # stream_core::action_entity! {
//! #     pub mod action { table_name = "stream_action", verb = Verb, models = [user] }
//! # }
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let db = sea_orm::Database::connect("sqlite::memory:").await?;
//! # db.get_schema_builder().register(user::Entity).register(action::Entity).apply(&db).await?;
//! # let named = |name: &str| user::ActiveModel { username: sea_orm::Set(name.into()), ..Default::default() };
//! # let lennon = named("lennon").insert(&db).await?;
//! # let fans = [named("hendrix").insert(&db).await?, named("joplin").insert(&db).await?];
//! for fan in &fans {
//!     action::Entity::send(&db, fan, Verb::Liked).target(&lennon).await?;
//! }
//! action::Entity::send(&db, &fans[0], Verb::Commented).target(&lennon).await?;
//!
//! let page = action::Entity::for_target(&lennon).aggregated().page(None, 20).all(&db).await?;
//! assert_eq!(page.items.len(), 2); // the comment, then the two likes
//! let likes = &page.items[1];
//! assert_eq!((likes.key.verb, likes.actions, likes.actors), (Verb::Liked, 2, 2));
//! assert_eq!(likes.latest[0].actor, action::ActorModel::User(fans[1].clone())); // newest first
//! # Ok(())
//! # }
//! ```

mod grouping;
mod inbox;
mod sql;

pub use grouping::{Grouping, Period};
pub use inbox::{AggregatedInbox, AggregatedInboxPage, InboxGroup, InboxGroups};

use crate::page::split;
use crate::{ActionEntity, Cursor, MAX_PAGE_SIZE, Page, Role, RoleRef, StreamError, Verb};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveEnum, ConnectionTrait, DbBackend, ModelTrait, Select, Statement};

/// The newest distinct actors a [`Group`] loads unless told otherwise
/// ([`Aggregated::actors`]).
pub const DEFAULT_ACTORS: u64 = 3;

/// The most distinct actors a [`Group`] loads: larger numbers given to
/// [`Aggregated::actors`] load this many.
pub const MAX_ACTORS: u64 = 100;

/// Read any stream as groups of actions: `.aggregated()` on the `Select` of a stream.
pub trait Aggregate<A: ActionEntity> {
    /// The stream's actions grouped by each verb's [`Grouping`], newest group first; page it
    /// with [`Aggregated::page`].
    fn aggregated(self) -> Aggregated<A>;
}

impl<A: ActionEntity> Aggregate<A> for Select<A> {
    fn aggregated(self) -> Aggregated<A> {
        Aggregated {
            select: self,
            actors: DEFAULT_ACTORS,
        }
    }
}

/// A stream read as groups of actions; see the [module docs](self).
#[must_use = "nothing is read until `.page(..)` is read with `.all(&db)`"]
pub struct Aggregated<A: ActionEntity> {
    select: Select<A>,
    actors: u64,
}

impl<A: ActionEntity> Aggregated<A> {
    /// Load the newest action of each of the `n` newest distinct actors of every group
    /// (default [`DEFAULT_ACTORS`]); `n` is taken as 1 to [`MAX_ACTORS`]. The counts of a
    /// group cover all of its actions and actors whatever `n` is.
    pub fn actors(mut self, n: u64) -> Self {
        self.actors = n.clamp(1, MAX_ACTORS);
        self
    }

    /// The page of `size` groups after `cursor` (`None`: the newest groups). Reading it fails
    /// with [`StreamError::InvalidPageSize`] unless `size` is 1 to [`MAX_PAGE_SIZE`].
    pub fn page(self, cursor: Option<&Cursor>, size: u64) -> AggregatedPage<A> {
        AggregatedPage {
            select: self.select,
            actors: self.actors,
            cursor: cursor.copied(),
            size,
        }
    }
}

/// One page of an aggregated stream; `.all(&db)` reads it in one statement.
#[must_use = "nothing is read until `.all(&db)` is awaited"]
pub struct AggregatedPage<A: ActionEntity> {
    select: Select<A>,
    actors: u64,
    cursor: Option<Cursor>,
    size: u64,
}

impl<A: ActionEntity> AggregatedPage<A> {
    /// The size, if it is one a page can have (1 to [`MAX_PAGE_SIZE`]).
    fn checked_size(&self) -> crate::Result<u64> {
        if (1..=MAX_PAGE_SIZE).contains(&self.size) {
            Ok(self.size)
        } else {
            Err(StreamError::InvalidPageSize {
                size: self.size,
                max: MAX_PAGE_SIZE,
            })
        }
    }

    /// The statement [`all`](Self::all) runs on `backend`, for `EXPLAIN`, logging or a query
    /// of your own: the stream's actions keyed by their verb's rule, counted and ranked with
    /// window functions, limited to the page's groups and their newest distinct actors, and
    /// joined to their models as a hydrated page is.
    pub fn statement(&self, backend: DbBackend) -> Statement {
        sql::page::<A>(
            self.select.clone(),
            self.cursor.as_ref(),
            self.size.saturating_add(1),
            self.actors,
            false,
            backend,
        )
    }

    /// Read the page: its groups, newest first, each with its counts and newest actors
    /// loaded.
    pub async fn all<C: ConnectionTrait>(self, db: &C) -> crate::Result<Page<Group<A>>> {
        let size = self.checked_size()?;
        let statement = self.statement(db.get_database_backend());
        let rows = db.query_all_raw(statement).await?;
        let groups = read_groups::<A, ()>(&rows, |_| Ok(()))?;
        let groups = groups.into_iter().map(|(group, ())| group).collect();
        Ok(split(groups, size, |group: &Group<A>| group.cursor))
    }
}

/// The groups in `rows` of a page statement, newest first, each with what `extra` reads from
/// its first row.
fn read_groups<A: ActionEntity, T>(
    rows: &[sea_orm::QueryResult],
    extra: impl Fn(&sea_orm::QueryResult) -> crate::Result<T>,
) -> crate::Result<Vec<(Group<A>, T)>> {
    let mut groups: Vec<(Group<A>, T)> = Vec::new();
    for row in rows {
        let loaded = A::__decode_page_row(row)?;
        let newest_id: i64 = row.try_get("", sql::GROUP)?;
        match groups
            .iter_mut()
            .find(|(group, _)| group.cursor.id() == newest_id)
        {
            Some((group, _)) => group.latest.push(loaded),
            None => groups.push((
                Group::new(newest_id, sql::group_counts(row)?, loaded)?,
                extra(row)?,
            )),
        }
    }
    for (group, _) in &mut groups {
        group.latest.sort_by_key(|loaded| {
            std::cmp::Reverse(Cursor::after::<A>(loaded.as_ref()).sort_key())
        });
        group.finish()?;
    }
    groups.sort_by_key(|(group, _)| std::cmp::Reverse(group.cursor.sort_key()));
    Ok(groups)
}

impl<A: ActionEntity> GroupKey<A> {
    /// The key of the group `action` belongs to under its verb's rule.
    pub fn of(action: &A::Model) -> crate::Result<Self> {
        let verb = verb_of::<A>(action)?;
        let rule = verb.grouping();
        let role = |role| {
            rule.groups_by(role)
                .then(|| crate::roles::get::<A>(action, role))
                .flatten()
        };
        Ok(GroupKey {
            grouping: rule,
            verb,
            actor: role(Role::Actor),
            target: role(Role::Target),
            action_object: role(Role::ActionObject),
            since: rule
                .period()
                .map(|period| period.start(A::action_timestamp(action))),
        })
    }

    /// The condition on the action table that selects the actions of this group under the
    /// rule of [`grouping`](Self::grouping): the verb, each role of the rule holding the same
    /// object (or none), the timestamp within the period. For a verb grouped `none`, every
    /// action is its own group: use [`condition_up_to`](Self::condition_up_to).
    pub fn condition(&self, backend: DbBackend) -> sea_orm::Condition {
        use sea_orm::sea_query::{Expr, ExprTrait};
        let table = A::default();
        let col = |column: A::Column| Expr::col((table, column));
        let mut condition = sea_orm::Condition::all().add(col(A::VERB).eq(self.verb.slug()));
        for (role, object) in [
            (Role::Actor, &self.actor),
            (Role::Target, &self.target),
            (Role::ActionObject, &self.action_object),
        ] {
            if !self.grouping.groups_by(role) {
                continue;
            }
            for &column in A::role_columns(role) {
                condition = condition.add(match object {
                    Some(object) if crate::shared::same_column(object.column(), column) => {
                        col(column).eq(object.value().clone())
                    }
                    _ => col(column).is_null(),
                });
            }
        }
        if let (Some(period), Some(since)) = (self.grouping.period(), self.since) {
            let value = |t| crate::shared::timestamp_value(backend, t);
            condition = condition
                .add(col(A::TIMESTAMP).gte(value(since)))
                .add(col(A::TIMESTAMP).lt(value(period.end(since))));
        }
        condition
    }

    /// [`condition`](Self::condition), limited to the actions at or older than `newest` (a
    /// group's newest action as shown): what a click on a shown group stands for, leaving an
    /// action that joined the group since untouched. For a verb grouped `none`, `newest` alone.
    pub fn condition_up_to(&self, newest: &A::Model, backend: DbBackend) -> sea_orm::Condition {
        use sea_orm::sea_query::{Expr, ExprTrait};
        let table = A::default();
        let col = |column: A::Column| Expr::col((table, column));
        let id = A::action_id(newest);
        if self.grouping.is_none() {
            return sea_orm::Condition::all().add(col(A::ID).eq(id));
        }
        let at = crate::shared::timestamp_value(backend, A::action_timestamp(newest));
        self.condition(backend)
            .add(col(A::TIMESTAMP).lte(at.clone()))
            .add(
                sea_orm::Condition::any()
                    .add(col(A::TIMESTAMP).lt(at))
                    .add(col(A::ID).lte(id)),
            )
    }
}

/// The verb of a stored action.
fn verb_of<A: ActionEntity>(action: &A::Model) -> crate::Result<A::Verb> {
    match action.get(A::VERB) {
        sea_orm::Value::String(Some(slug)) => {
            A::Verb::try_from_value(&slug).map_err(StreamError::Decode)
        }
        other => Err(StreamError::Decode(sea_orm::DbErr::Type(format!(
            "the verb of action {} is {other:?}",
            A::action_id(action)
        )))),
    }
}

/// What makes the actions of a [`Group`] one group: the verb, and the objects and period its
/// [`Grouping`] names (each `None` where the rule does not name it).
#[derive(Clone, Debug)]
pub struct GroupKey<A: ActionEntity> {
    /// The verb of every action of the group.
    pub verb: A::Verb,
    /// The verb's rule when the page was read.
    pub grouping: Grouping,
    /// The actor, when the rule groups by actor.
    pub actor: Option<RoleRef<A>>,
    /// The target, when the rule groups by target (`None` too for actions without one).
    pub target: Option<RoleRef<A>>,
    /// The action object, when the rule groups by action object.
    pub action_object: Option<RoleRef<A>>,
    /// The start of the period (UTC), when the rule has one.
    pub since: Option<DateTime<Utc>>,
}

/// Actions of a stream that share a [`GroupKey`], as [`AggregatedPage::all`] reads them.
#[derive(Clone, Debug)]
pub struct Group<A: ActionEntity> {
    /// What the group's actions share.
    pub key: GroupKey<A>,
    /// How many actions the group has.
    pub actions: u64,
    /// How many distinct actors did them (an actor is a model and its key).
    pub actors: u64,
    /// When its newest action happened.
    pub newest: DateTime<Utc>,
    /// The cursor of its newest action: where the page after this group starts.
    pub cursor: Cursor,
    /// The newest action of each of the newest distinct actors, newest first, with their
    /// models loaded: at most as many as [`Aggregated::actors`] asks for. Never empty: the
    /// first is the group's newest action.
    pub latest: Vec<A::Loaded>,
}

impl<A: ActionEntity> Group<A> {
    fn new(
        newest_id: i64,
        (actions, actors): (u64, u64),
        loaded: A::Loaded,
    ) -> crate::Result<Self> {
        Ok(Group {
            key: GroupKey::of(loaded.as_ref())?,
            actions,
            actors,
            newest: DateTime::<Utc>::default(),
            cursor: Cursor::at(DateTime::<Utc>::default(), newest_id),
            latest: vec![loaded],
        })
    }

    /// Fill the key from the newest action, once the rows of the group are in.
    fn finish(&mut self) -> crate::Result<()> {
        let newest = self
            .latest
            .first()
            .map(|loaded| loaded.as_ref().clone())
            .ok_or(StreamError::InvalidCursor("empty group"))?;
        let cursor = Cursor::after::<A>(&newest);
        debug_assert_eq!(cursor.id(), self.cursor.id(), "the newest action leads");
        self.cursor = cursor;
        self.newest = cursor.timestamp();
        self.key = GroupKey::of(&newest)?;
        Ok(())
    }

    /// The verb of the group's actions.
    pub fn verb(&self) -> &A::Verb {
        &self.key.verb
    }

    /// The group's newest action, loaded.
    pub fn newest_action(&self) -> &A::Loaded {
        &self.latest[0]
    }

    /// The distinct actors beyond the first `shown`: the "3 others" of "hendrix, joplin and 3
    /// others liked Wild Haze" when two are shown.
    pub fn others(&self, shown: usize) -> u64 {
        self.actors
            .saturating_sub(u64::try_from(shown.min(self.latest.len())).unwrap_or(u64::MAX))
    }
}

impl Cursor {
    /// `(timestamp, id)`, which orders cursors newest last.
    fn sort_key(&self) -> (i64, i64) {
        (self.timestamp().timestamp_micros(), self.id())
    }
}
