//! Retention: deleting old actions in bounded batches, so that the table stays writable while
//! it shrinks.
//!
//! ```
//! # pub mod user {
//! #     use stream_core::sea_orm::{self, entity::prelude::*};
//! #     #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
//! #     #[sea_orm(table_name = "user")]
//! #     #[stream(actor, target)]
//! #     pub struct Model { #[sea_orm(primary_key)] pub id: i32, pub username: String }
//! #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
//! #     pub enum Relation {}
//! #     impl ActiveModelBehavior for ActiveModel {}
//! # }
//! # use stream_core::sea_orm::{self, entity::prelude::*, Set};
//! # #[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, stream_core::Verb)]
//! # #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
//! # pub enum Verb { #[sea_orm(string_value = "followed")] Followed, #[sea_orm(string_value = "waved")] Waved }
//! # stream_core::action_entity! {
//! #     pub mod action { table_name = "stream_action", verb = Verb, models = [user] }
//! # }
//! use chrono::{TimeDelta, Utc};
//! use stream_core::Role;
//! use stream_core::prelude::*;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let db = sea_orm::Database::connect("sqlite::memory:").await?;
//! # db.get_schema_builder().register(user::Entity).register(action::Entity).apply(&db).await?;
//! # let lennon = user::ActiveModel { username: Set("lennon".into()), ..Default::default() }.insert(&db).await?;
//! # let yoko = user::ActiveModel { username: Set("yoko".into()), ..Default::default() }.insert(&db).await?;
//! let long_ago = Utc::now() - TimeDelta::days(400);
//! action::Entity::send(&db, &lennon, Verb::Waved).timestamp(long_ago).await?;
//! for _ in 0..3 {
//!     action::Entity::send(&db, &lennon, Verb::Followed).target(&yoko).await?;
//! }
//!
//! // Every action older than a year goes, and of what is left each actor keeps its newest 2,
//! // deleted 1,000 at a time (the default batch).
//! let pruned = action::Entity::prune()
//!     .older_than(TimeDelta::days(365))
//!     .keep_newest(Role::Actor, 2)
//!     .run(&db)
//!     .await?;
//! assert_eq!(pruned.actions, 2);
//! assert_eq!(action::Entity::find().count(&db).await?, 2);
//!
//! // Any stream can be pruned: here only lennon's follows, and nothing else of his.
//! action::Entity::for_actor(&lennon)
//!     .filter(action::Column::Verb.eq(Verb::Followed))
//!     .prune()
//!     .keep_newest(Role::Actor, 1)
//!     .run(&db)
//!     .await?;
//! # assert_eq!(action::Entity::find().count(&db).await?, 1);
//! # Ok(())
//! # }
//! ```

use crate::{ActionEntity, Role, StreamError};
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query, WindowStatement};
use sea_orm::{ConnectionTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select};

/// The most actions one batch deletes (one `DELETE .. WHERE id IN (..)` of this many bound
/// ids stays under every backend's parameter limit).
pub const MAX_BATCH_SIZE: u64 = 10_000;

/// The actions a batch deletes unless told otherwise.
pub const DEFAULT_BATCH_SIZE: u64 = 1_000;

/// Start pruning the actions of a stream: [`Select::prune`](Prunable::prune) on any stream,
/// or [`ActionEntity::prune`] for the whole table.
pub trait Prunable<A: ActionEntity> {
    /// Prune among the actions this select finds (its filters; its order and limit are
    /// ignored). Nothing is deleted until a rule is given and [`Prune::run`] runs.
    fn prune(self) -> Prune<A>;
}

impl<A: ActionEntity> Prunable<A> for Select<A> {
    fn prune(self) -> Prune<A> {
        Prune {
            select: self,
            before: None,
            keep_newest: Vec::new(),
            batch_size: DEFAULT_BATCH_SIZE,
        }
    }
}

/// What to delete, built with [`older_than`](Self::older_than) / [`before`](Self::before) and
/// [`keep_newest`](Self::keep_newest); [`run`](Self::run) deletes it in batches.
///
/// An action goes when **any** rule says so: it is older than the age given, or it is not
/// among the newest `n` actions of its object in the role given. With no rule, nothing goes.
///
/// Each batch is one `DELETE` of at most [`batch_size`](Self::batch_size) actions by id, its
/// own short transaction when run on a connection, so senders wait at most one batch. Rows
/// that reference a deleted action go with it by their foreign keys (`ON DELETE CASCADE`:
/// notification inboxes, say). Live subscribers are not told: pruning removes history, not
/// something a reader just saw; use retraction for that.
#[derive(Debug)]
#[must_use = "nothing is deleted until `run` is awaited"]
pub struct Prune<A: ActionEntity> {
    select: Select<A>,
    before: Option<Before>,
    keep_newest: Vec<(Role, u64)>,
    batch_size: u64,
}

#[derive(Clone, Copy, Debug)]
enum Before {
    Age(TimeDelta),
    Time(DateTime<Utc>),
}

/// What [`Prune::run`] deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Pruned {
    /// Actions deleted.
    pub actions: u64,
    /// `DELETE` statements run: one per batch.
    pub batches: u64,
}

impl<A: ActionEntity> Prune<A> {
    /// Delete actions older than `age`, measured from when [`run`](Self::run) starts.
    pub fn older_than(mut self, age: TimeDelta) -> Self {
        self.before = Some(Before::Age(age));
        self
    }

    /// Delete actions whose timestamp is before `timestamp`.
    pub fn before(mut self, timestamp: DateTime<Utc>) -> Self {
        self.before = Some(Before::Time(timestamp));
        self
    }

    /// Of the actions of each object in `role` (each actor, each target, each action object:
    /// every model's column of the role), keep the newest `n` and delete the rest. Actions
    /// without an object in that role are not touched by this rule. May be given once per role.
    pub fn keep_newest(mut self, role: Role, n: u64) -> Self {
        self.keep_newest.retain(|(r, _)| *r != role);
        self.keep_newest.push((role, n));
        self
    }

    /// How many actions one `DELETE` removes at most: 1 to [`MAX_BATCH_SIZE`] (default
    /// [`DEFAULT_BATCH_SIZE`]). Smaller batches hold the table's write lock for less time.
    pub fn batch_size(mut self, size: u64) -> Self {
        self.batch_size = size;
        self
    }

    /// Delete what the rules say, batch by batch, and say how much went.
    ///
    /// On a connection each batch commits on its own: if one fails, the batches before it
    /// stay deleted, and the error is returned ([`StreamError::Database`]). On a
    /// [`Transaction`](crate::Transaction), the batches are part of it.
    ///
    /// Fails with [`StreamError::InvalidBatchSize`] before deleting anything unless the batch
    /// size is 1 to [`MAX_BATCH_SIZE`].
    ///
    /// The age rule walks the `(timestamp, id)` index oldest first, one batch at a time. The
    /// newest-`n` rule reads, once per model column of the role, the ids beyond each object's
    /// newest `n` (a window over the column's `(column, timestamp, id)` index) and then
    /// deletes those ids in batches; actions sent meanwhile are newer, so they never make a
    /// chosen action one to keep.
    pub async fn run<C: ConnectionTrait>(self, db: &C) -> crate::Result<Pruned> {
        if !(1..=MAX_BATCH_SIZE).contains(&self.batch_size) {
            return Err(StreamError::InvalidBatchSize {
                size: self.batch_size,
                max: MAX_BATCH_SIZE,
            });
        }
        let mut pruned = Pruned::default();
        let base = self.base();
        if let Some(before) = self.before {
            let cutoff = match before {
                Before::Time(time) => time,
                Before::Age(age) => Utc::now()
                    .checked_sub_signed(age)
                    .unwrap_or(DateTime::<Utc>::MIN_UTC),
            };
            self.prune_before(db, &base, cutoff, &mut pruned).await?;
        }
        for &(role, n) in &self.keep_newest {
            for &column in A::role_columns(role) {
                let ids = Self::beyond_newest(db, &base, column, n).await?;
                for chunk in ids.chunks(self.batch_size as usize) {
                    Self::delete(db, chunk, &mut pruned).await?;
                }
            }
        }
        Ok(pruned)
    }

    /// The select without its order, limit and offset, reading the id only.
    fn base(&self) -> Select<A> {
        let mut select = self.select.clone().select_only();
        let query = QueryTrait::query(&mut select);
        query.clear_order_by().reset_limit().reset_offset();
        select
    }

    async fn prune_before<C: ConnectionTrait>(
        &self,
        db: &C,
        base: &Select<A>,
        cutoff: DateTime<Utc>,
        pruned: &mut Pruned,
    ) -> crate::Result<()> {
        let table = A::default();
        let timestamp = Expr::col((table, A::TIMESTAMP));
        let id = Expr::col((table, A::ID));
        // Oldest first, after the last action of the previous batch: a select with filters
        // of its own does not walk again over the old actions it leaves.
        let mut last: Option<(DateTime<Utc>, i64)> = None;
        loop {
            let mut batch = base
                .clone()
                .column(A::TIMESTAMP)
                .column(A::ID)
                .filter(timestamp.clone().lt(cutoff))
                .order_by(A::TIMESTAMP, Order::Asc)
                .order_by(A::ID, Order::Asc)
                .limit(self.batch_size);
            if let Some((at, after)) = last {
                batch = batch.filter(
                    sea_orm::Condition::any().add(timestamp.clone().gt(at)).add(
                        sea_orm::Condition::all()
                            .add(timestamp.clone().eq(at))
                            .add(id.clone().gt(after)),
                    ),
                );
            }
            let rows: Vec<(DateTime<Utc>, i64)> = batch.into_tuple().all(db).await?;
            let Some(&newest) = rows.last() else {
                return Ok(());
            };
            let ids: Vec<i64> = rows.iter().map(|&(_, id)| id).collect();
            Self::delete(db, &ids, pruned).await?;
            if (rows.len() as u64) < self.batch_size {
                return Ok(());
            }
            last = Some(newest);
        }
    }

    /// The ids of the actions of `base` with an object in `column` that are not among the
    /// newest `n` of that object.
    async fn beyond_newest<C: ConnectionTrait>(
        db: &C,
        base: &Select<A>,
        column: A::Column,
        n: u64,
    ) -> crate::Result<Vec<i64>> {
        let table = A::default();
        let mut window = WindowStatement::partition_by((table, column));
        window
            .order_by((table, A::TIMESTAMP), Order::Desc)
            .order_by((table, A::ID), Order::Desc);
        let mut ranked = base
            .clone()
            .column_as(Expr::col((table, A::ID)), "id")
            .filter(Expr::col((table, column)).is_not_null())
            .into_query();
        ranked.expr_window_as(Expr::cust("ROW_NUMBER()"), window, Alias::new("rank"));
        let rank = Alias::new("ranked");
        let query = Query::select()
            .column((rank.clone(), Alias::new("id")))
            .from_subquery(ranked, rank.clone())
            .and_where(Expr::col((rank, Alias::new("rank"))).gt(n))
            .to_owned();
        let rows = db.query_all(&query).await?;
        rows.iter()
            .map(|row| row.try_get::<i64>("", "id").map_err(StreamError::from))
            .collect()
    }

    async fn delete<C: ConnectionTrait>(
        db: &C,
        ids: &[i64],
        pruned: &mut Pruned,
    ) -> crate::Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let table = A::default();
        let result = A::delete_many()
            .filter(Expr::col((table, A::ID)).is_in(ids.iter().copied()))
            .exec(db)
            .await?;
        pruned.actions += result.rows_affected;
        pruned.batches += 1;
        Ok(())
    }
}
