//! Retention of inboxes: a cap per recipient and an age, deleted in bounded batches.

use super::NotificationEntity;
use crate::prune::{DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE};
use crate::{ActionEntity, StreamError};
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query, WindowStatement};
use sea_orm::{ConnectionTrait, QueryFilter};

/// What to delete from the inboxes, built with [`keep_newest`](Self::keep_newest) and
/// [`older_than`](Self::older_than); [`run`](Self::run) deletes it in batches.
///
/// A notification goes when **any** rule says so. With no rule, nothing goes. Each batch is
/// one `DELETE` of at most [`batch_size`](Self::batch_size) notifications by id, its own short
/// transaction when run on a connection, so deliveries wait at most one batch.
///
/// The actions stay: pruning an inbox removes what a recipient is told, not the history. (The
/// other way round, pruning or retracting an action removes its notifications, by the foreign
/// key.)
#[derive(Debug)]
#[must_use = "nothing is deleted until `run` is awaited"]
pub struct PruneNotifications<N: NotificationEntity> {
    keep_newest: Option<u64>,
    older_than: Option<TimeDelta>,
    batch_size: u64,
    entity: std::marker::PhantomData<fn() -> N>,
}

impl<N: NotificationEntity> PruneNotifications<N> {
    pub(super) fn new() -> Self {
        PruneNotifications {
            keep_newest: None,
            older_than: None,
            batch_size: DEFAULT_BATCH_SIZE,
            entity: std::marker::PhantomData,
        }
    }

    /// Keep the newest `n` notifications of each recipient and delete the rest.
    pub fn keep_newest(mut self, n: u64) -> Self {
        self.keep_newest = Some(n);
        self
    }

    /// Delete notifications of actions older than `age`, measured from when
    /// [`run`](Self::run) starts.
    pub fn older_than(mut self, age: TimeDelta) -> Self {
        self.older_than = Some(age);
        self
    }

    /// How many notifications one `DELETE` removes at most: 1 to [`MAX_BATCH_SIZE`]
    /// (default [`DEFAULT_BATCH_SIZE`]).
    pub fn batch_size(mut self, size: u64) -> Self {
        self.batch_size = size;
        self
    }

    /// Delete what the rules say, batch by batch; returns how many notifications went.
    ///
    /// Fails with [`StreamError::InvalidBatchSize`] before deleting anything unless the batch
    /// size is 1 to [`MAX_BATCH_SIZE`]. On a connection each batch commits on its own; if one
    /// fails, the batches before it stay deleted.
    ///
    /// The age rule walks the action table's `(timestamp, id)` index oldest first and each
    /// action's notifications by the `action` index; the cap reads, once, the ids beyond each
    /// recipient's newest `n` (a window over the `(recipient, timestamp, action)` index) and
    /// deletes them in batches.
    pub async fn run<C: ConnectionTrait>(self, db: &C) -> crate::Result<u64> {
        if !(1..=MAX_BATCH_SIZE).contains(&self.batch_size) {
            return Err(StreamError::InvalidBatchSize {
                size: self.batch_size,
                max: MAX_BATCH_SIZE,
            });
        }
        let mut deleted = 0;
        if let Some(age) = self.older_than {
            let cutoff = Utc::now()
                .checked_sub_signed(age)
                .unwrap_or(DateTime::<Utc>::MIN_UTC);
            deleted += self.prune_before(db, cutoff).await?;
        }
        if let Some(n) = self.keep_newest {
            let ids = beyond_newest::<N, C>(db, n).await?;
            let batch = usize::try_from(self.batch_size).unwrap_or(usize::MAX);
            for chunk in ids.chunks(batch) {
                deleted += delete::<N, C>(db, chunk).await?;
            }
        }
        Ok(deleted)
    }

    async fn prune_before<C: ConnectionTrait>(
        &self,
        db: &C,
        cutoff: DateTime<Utc>,
    ) -> crate::Result<u64> {
        type A<N> = <N as NotificationEntity>::Actions;
        let backend = db.get_database_backend();
        let (n, a) = (N::default(), <A<N> as Default>::default());
        let timestamp = Expr::col((a, <A<N> as ActionEntity>::TIMESTAMP));
        let id = Expr::col((a, <A<N> as ActionEntity>::ID));
        let value = |t: DateTime<Utc>| crate::shared::timestamp_value(backend, t);
        let mut deleted = 0;
        // Oldest action first; each batch starts at the last action of the previous one (which
        // may have notifications left), not again at the oldest.
        let mut last: Option<(DateTime<Utc>, i64)> = None;
        loop {
            let mut query = Query::select();
            query
                .expr_as(Expr::col((n, N::ID)), Alias::new("id"))
                .expr_as(timestamp.clone(), Alias::new("at"))
                .expr_as(id.clone(), Alias::new("action"))
                .from(a)
                .inner_join(
                    n,
                    Expr::col((n, N::ACTION)).equals((a, <A<N> as ActionEntity>::ID)),
                )
                .and_where(timestamp.clone().lt(value(cutoff)))
                .order_by_expr(timestamp.clone(), Order::Asc)
                .order_by_expr(id.clone(), Order::Asc)
                .limit(self.batch_size);
            if let Some((at, action)) = last {
                query.cond_where(
                    sea_orm::Condition::all()
                        .add(timestamp.clone().gte(value(at)))
                        .add(
                            sea_orm::Condition::any()
                                .add(timestamp.clone().gt(value(at)))
                                .add(id.clone().gte(action)),
                        ),
                );
            }
            let rows = db.query_all(&query).await?;
            let mut ids = Vec::with_capacity(rows.len());
            for row in &rows {
                ids.push(row.try_get::<i64>("", "id")?);
                last = Some((row.try_get("", "at")?, row.try_get("", "action")?));
            }
            deleted += delete::<N, C>(db, &ids).await?;
            if (ids.len() as u64) < self.batch_size {
                return Ok(deleted);
            }
        }
    }
}

/// The ids of the notifications beyond each recipient's newest `n`.
async fn beyond_newest<N: NotificationEntity, C: ConnectionTrait>(
    db: &C,
    n: u64,
) -> crate::Result<Vec<i64>> {
    let table = N::default();
    let mut window = WindowStatement::partition_by((table, N::RECIPIENT));
    window
        .order_by((table, N::TIMESTAMP), Order::Desc)
        .order_by((table, N::ACTION), Order::Desc);
    let mut ranked = Query::select();
    ranked
        .expr_as(Expr::col((table, N::ID)), Alias::new("id"))
        .from(table)
        .expr_window_as(Expr::cust("ROW_NUMBER()"), window, Alias::new("rank"));
    let rank = Alias::new("ranked");
    let query = Query::select()
        .column((rank.clone(), Alias::new("id")))
        .from_subquery(ranked.to_owned(), rank.clone())
        .and_where(Expr::col((rank, Alias::new("rank"))).gt(n))
        .to_owned();
    let rows = db.query_all(&query).await?;
    rows.iter()
        .map(|row| row.try_get::<i64>("", "id").map_err(StreamError::from))
        .collect()
}

async fn delete<N: NotificationEntity, C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> crate::Result<u64> {
    if ids.is_empty() {
        return Ok(0);
    }
    let result = N::delete_many()
        .filter(Expr::col((N::default(), N::ID)).is_in(ids.iter().copied()))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
