//! Bulk send: many actions in one transaction, one multi-row `INSERT` per batch.

use crate::{ActionEntity, NewAction, Role};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, FromQueryResult,
    Statement, TransactionTrait, Value, sea_query::Query,
};
use std::sync::Arc;

/// Bind parameters per statement, under the smallest limit of the three backends (SQLite's
/// 32,766).
const MAX_PARAMETERS: usize = 30_000;

/// How many columns a bulk row can fill: timestamp, verb, description and every role column.
fn max_columns<A: ActionEntity>() -> usize {
    3 + [Role::Actor, Role::Target, Role::ActionObject]
        .into_iter()
        .map(|role| A::role_columns(role).len())
        .sum::<usize>()
}

/// The columns one batch's `INSERT` lists: timestamp and verb always, the description and
/// each role column only when some action of the batch sets it. The others are left to their
/// default, `NULL`, so a batch binds (and the database parses) no more values than the
/// actions carry.
struct Layout<A: ActionEntity> {
    description: bool,
    roles: Vec<A::Column>,
}

impl<A: ActionEntity> Layout<A> {
    fn of(batch: &[NewAction<A>]) -> Self {
        let set = |column: &A::Column| {
            batch.iter().any(|action| {
                [
                    Some(&action.actor),
                    action.target.as_ref(),
                    action.action_object.as_ref(),
                ]
                .into_iter()
                .flatten()
                .any(|role| crate::entity::roles::same_column::<A>(role.column(), *column))
            })
        };
        Layout {
            description: batch.iter().any(|action| action.description.is_some()),
            roles: [Role::Actor, Role::Target, Role::ActionObject]
                .into_iter()
                .flat_map(|role| A::role_columns(role).iter().copied())
                .filter(set)
                .collect(),
        }
    }

    fn columns(&self) -> impl Iterator<Item = A::Column> + '_ {
        [A::TIMESTAMP, A::VERB]
            .into_iter()
            .chain(self.description.then_some(A::DESCRIPTION))
            .chain(self.roles.iter().copied())
    }

    /// The values of `action` for [`columns`](Self::columns).
    fn row(&self, action: NewAction<A>, backend: DbBackend) -> Vec<Value> {
        let timestamp =
            crate::send::truncate_to_micros(action.timestamp.unwrap_or_else(crate::send::now));
        let mut values = Vec::with_capacity(3 + self.roles.len());
        // MariaDB nulls a `DateTime<Utc>` parameter outside 1970..2038; see `timestamp_value`.
        values.push(crate::schema::timestamp_value(backend, timestamp));
        values.push(sea_orm::ActiveEnum::into_value(action.verb).into());
        if self.description {
            values.push(Value::from(action.description));
        }
        let set = [Some(action.actor), action.target, action.action_object];
        for &column in &self.roles {
            let value = set
                .iter()
                .flatten()
                .find(|role| crate::entity::roles::same_column::<A>(role.column(), column))
                .map(|role| role.value().clone())
                .unwrap_or_else(|| A::null_value(column));
            values.push(value);
        }
        values
    }
}

/// Store every action of `actions` in one transaction — all or none — with one multi-row
/// `INSERT` per batch, then fire the signal for each after the commit. Returns how many
/// actions were stored.
///
/// When nobody is subscribed to the signal the rows are not read back at all. With
/// subscribers, PostgreSQL and SQLite read them back with `RETURNING`; MySQL and MariaDB,
/// which cannot, insert row by row inside the same transaction.
pub(crate) async fn send_many<A: ActionEntity>(
    db: &DatabaseConnection,
    actions: impl IntoIterator<Item = NewAction<A>>,
) -> crate::Result<u64> {
    let backend = db.get_database_backend();
    let listening = A::signal().subscriber_count() > 0;
    let returning = listening && backend != DbBackend::MySql;
    let per_row = listening && backend == DbBackend::MySql;

    let txn = db.begin().await?;
    let cache = match backend {
        DbBackend::Sqlite => raise_sqlite_cache(&txn).await?,
        _ => None,
    };
    let inserted = insert_all::<A, _>(&txn, actions, backend, returning, per_row).await;
    if let Some(previous) = cache {
        // Before the commit: the commit hands the connection back to the pool.
        txn.execute_unprepared(&format!("PRAGMA cache_size = {previous}"))
            .await?;
    }
    let (count, stored) = inserted?;
    txn.commit().await?;
    for action in stored {
        A::signal().emit(action);
    }
    Ok(count)
}

/// The page cache SQLite gets for a bulk load, in KiB.
const SQLITE_BULK_CACHE_KIB: i64 = 256 * 1024;

/// Give the transaction's SQLite connection a page cache of [`SQLITE_BULK_CACHE_KIB`] if its
/// own is smaller, and return the setting to put back.
///
/// Every action adds entries to several indexes at places spread over the whole index; with
/// SQLite's default 2 MiB cache, a table of a few hundred thousand actions no longer fits and
/// every insert reads and writes pages through the operating system, and once the cache is
/// full of changed pages SQLite spills them to the file mid-transaction (syncing the journal
/// first in rollback-journal mode). Measured with the workload bench at a million actions
/// (about 230 MB): 64 and 128 MiB load ~100k actions/s, 256 MiB ~120k. The larger cache is
/// memory SQLite takes only as pages are used; `send_many` restores the setting before it
/// commits, and the commit frees the pages above it.
async fn raise_sqlite_cache(txn: &DatabaseTransaction) -> crate::Result<Option<i64>> {
    let pragma = |name: &str| {
        let sql = format!("PRAGMA {name}");
        async move {
            let row = txn
                .query_one_raw(Statement::from_string(DbBackend::Sqlite, sql))
                .await?;
            row.map(|row| row.try_get_by_index::<i64>(0))
                .transpose()
                .map_err(crate::StreamError::from)
        }
    };
    let (Some(cache), Some(page_size)) = (pragma("cache_size").await?, pragma("page_size").await?)
    else {
        return Ok(None);
    };
    // A positive setting counts pages, a negative one KiB.
    let kib = if cache < 0 {
        -cache
    } else {
        cache.saturating_mul(page_size) / 1024
    };
    if kib >= SQLITE_BULK_CACHE_KIB {
        return Ok(None);
    }
    txn.execute_unprepared(&format!("PRAGMA cache_size = -{SQLITE_BULK_CACHE_KIB}"))
        .await?;
    Ok(Some(cache))
}

/// The inserts of [`send_many`], and the stored rows when someone listens to the signal.
async fn insert_all<A: ActionEntity, I: IntoIterator<Item = NewAction<A>>>(
    txn: &DatabaseTransaction,
    actions: I,
    backend: DbBackend,
    returning: bool,
    per_row: bool,
) -> crate::Result<(u64, Vec<Arc<A::Model>>)> {
    let batch = (MAX_PARAMETERS / max_columns::<A>()).max(1);
    let mut stored: Vec<Arc<A::Model>> = Vec::new();
    let mut count = 0u64;
    let mut actions = actions.into_iter().peekable();
    let mut pending = Vec::with_capacity(if per_row { 1 } else { batch });
    while actions.peek().is_some() {
        pending.extend(actions.by_ref().take(if per_row { 1 } else { batch }));
        let layout = Layout::of(&pending);
        let mut insert = Query::insert();
        insert
            .into_table(A::default().table_ref())
            .columns(layout.columns());
        let mut rows = 0u64;
        for action in pending.drain(..) {
            insert
                .values(layout.row(action, backend).into_iter().map(Into::into))
                .map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?;
            rows += 1;
        }
        count += rows;
        if returning {
            insert.returning_all();
            for result in txn.query_all(&insert).await? {
                stored.push(Arc::new(A::Model::from_query_result(&result, "")?));
            }
        } else {
            let result = txn.execute(&insert).await?;
            if per_row {
                stored.push(Arc::new(
                    read_back::<A>(txn, result.last_insert_id()).await?,
                ));
            }
        }
    }
    Ok((count, stored))
}

async fn read_back<A: ActionEntity>(txn: &DatabaseTransaction, id: u64) -> crate::Result<A::Model> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let id = i64::try_from(id).map_err(|_| sea_orm::DbErr::UnpackInsertId)?;
    A::find()
        .filter(A::ID.eq(id))
        .one(txn)
        .await?
        .ok_or_else(|| sea_orm::DbErr::RecordNotFound(format!("action {id} after insert")).into())
}
