//! Bulk send: many actions in one transaction, one multi-row `INSERT` per batch (on SQLite
//! into a staging table, whose rows one `INSERT .. SELECT` then moves; see [`Staging`]).

use crate::transaction::{Connection, on_writer};
use crate::{ActionEntity, NewAction, Role};
use sea_orm::{
    ConnectionTrait, DbBackend, FromQueryResult, SqliteTransactionMode, Statement,
    TransactionOptions, TransactionSession, TransactionTrait, Value, sea_query::Query,
};
use std::sync::Arc;

/// Bind parameters per statement, under the smallest limit of the three backends (SQLite's
/// 32,766).
const MAX_PARAMETERS: usize = 30_000;

/// The columns one batch's `INSERT` lists: timestamp and verb always, the description and
/// each role column only when some action of the batch sets it, `public` when one is private
/// and `data` when one has some. The others are left to their default (`NULL`, `public`
/// true), so a batch binds (and the database parses) no more values than the actions carry.
struct Layout<A: ActionEntity> {
    description: bool,
    roles: Vec<A::Column>,
    public: bool,
    data: bool,
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
                .any(|role| crate::shared::same_column(role.column(), *column))
            })
        };
        Layout {
            description: batch.iter().any(|action| action.description.is_some()),
            roles: Self::role_columns().filter(set).collect(),
            public: A::__PUBLIC.is_some() && batch.iter().any(|action| !action.public),
            data: A::__DATA.is_some() && batch.iter().any(|action| action.data.is_some()),
        }
    }

    /// No column but timestamp and verb.
    fn none() -> Self {
        Layout {
            description: false,
            roles: Vec::new(),
            public: false,
            data: false,
        }
    }

    /// Every column a bulk row can fill.
    fn all() -> Self {
        Layout {
            description: true,
            roles: Self::role_columns().collect(),
            public: A::__PUBLIC.is_some(),
            data: A::__DATA.is_some(),
        }
    }

    fn role_columns() -> impl Iterator<Item = A::Column> {
        [Role::Actor, Role::Target, Role::ActionObject]
            .into_iter()
            .flat_map(|role| A::role_columns(role).iter().copied())
    }

    /// The columns either layout lists, in the order of [`all`](Self::all).
    fn union(&self, other: &Self) -> Self {
        let listed = |layout: &Self, column: A::Column| {
            layout
                .roles
                .iter()
                .any(|&c| crate::shared::same_column(c, column))
        };
        Layout {
            description: self.description || other.description,
            roles: Self::role_columns()
                .filter(|&column| listed(self, column) || listed(other, column))
                .collect(),
            public: self.public || other.public,
            data: self.data || other.data,
        }
    }

    fn columns(&self) -> impl Iterator<Item = A::Column> + '_ {
        [A::TIMESTAMP, A::VERB]
            .into_iter()
            .chain(self.description.then_some(A::DESCRIPTION))
            .chain(self.roles.iter().copied())
            .chain(A::__PUBLIC.filter(|_| self.public))
            .chain(A::__DATA.filter(|_| self.data))
    }

    /// The values of `action` for [`columns`](Self::columns).
    fn row(&self, action: NewAction<A>, backend: DbBackend) -> crate::Result<Vec<Value>> {
        let timestamp = crate::shared::stored_timestamp(action.timestamp)?;
        let mut values = Vec::with_capacity(5 + self.roles.len());
        // MariaDB nulls a `DateTime<Utc>` parameter outside 1970..2038; see `timestamp_value`.
        values.push(crate::shared::timestamp_value(backend, timestamp));
        values.push(sea_orm::ActiveEnum::into_value(action.verb).into());
        if self.description {
            values.push(Value::from(action.description));
        }
        let set = [Some(action.actor), action.target, action.action_object];
        for &column in &self.roles {
            let value = set
                .iter()
                .flatten()
                .find(|role| crate::shared::same_column(role.column(), column))
                .map(|role| role.value().clone())
                .unwrap_or_else(|| A::null_value(column));
            values.push(value);
        }
        if self.public {
            values.push(Value::from(action.public));
        }
        if let (true, Some(column)) = (self.data, A::__DATA) {
            let data = action.data.value()?.cloned();
            values.push(data.unwrap_or_else(|| A::null_value(column)));
        }
        Ok(values)
    }
}

/// How the library's write transactions begin: `IMMEDIATE` on SQLite (elsewhere the
/// default). A deferred SQLite transaction that reads before it writes (the load counts the
/// table's rows before it decides to rebuild its indexes) cannot wait for another writer when
/// it upgrades to a write lock: SQLite fails it at once with `SQLITE_BUSY_SNAPSHOT` ("database
/// is locked", 517) whatever the busy timeout. An immediate one takes the write lock first,
/// waiting for it as long as the busy timeout allows.
fn write_transaction() -> TransactionOptions {
    TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    }
}

/// Store every action of `actions` in one transaction — all or none — with one multi-row
/// `INSERT` per batch, then fire the signal for each after the commit. Returns how many
/// actions were stored.
///
/// When nobody is subscribed to the signal and no bridge runs, the rows are not read back at
/// all. Otherwise, PostgreSQL, SQLite and MariaDB 10.5+ read them back with `RETURNING`;
/// MySQL, which cannot, inserts row by row inside the same transaction. On SQLite the batches go
/// to a temporary staging table first, and one `INSERT .. SELECT` moves them; see [`Staging`].
pub(crate) async fn send_many<A: ActionEntity>(
    writer: Connection<'_>,
    actions: impl IntoIterator<Item = NewAction<A>>,
) -> crate::Result<u64> {
    on_writer!(writer, |db| send_many_on(writer, db, actions).await)
}

async fn send_many_on<A: ActionEntity, C: ConnectionTrait + TransactionTrait>(
    writer: Connection<'_>,
    db: &C,
    actions: impl IntoIterator<Item = NewAction<A>>,
) -> crate::Result<u64> {
    let backend = db.get_database_backend();
    let listening = A::signal().is_listened();
    // The rules of `notify = ..` need each stored row.
    let needs_rows = listening || A::__NOTIFIES;
    let returns_rows = backend != DbBackend::MySql || writer.mariadb_returning().await?;
    let returning = needs_rows && returns_rows;
    let per_row = needs_rows && !returns_rows;

    let txn = db.begin_with_options(write_transaction()).await?;
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
    if A::__NOTIFIES {
        let deliveries = stored
            .iter()
            .flat_map(|action| A::__notification_rules(action));
        crate::notification::deliver(&txn, deliveries.collect()).await?;
    }
    // In the caller's transaction, `txn` is a savepoint: the load is all or none within it,
    // and the signal waits for the caller's outermost commit.
    txn.commit().await?;
    if listening && !stored.is_empty() {
        writer.after_commit(Box::new(move || A::signal().emit_all(stored)));
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
/// (about 230 MB, through the staging table): the default 2 MiB loads ~110k actions/s,
/// 64 MiB ~160k, 256 MiB ~185k. The larger cache is
/// memory SQLite takes only as pages are used; `send_many` restores the setting before it
/// commits, and the commit frees the pages above it.
async fn raise_sqlite_cache(txn: &impl ConnectionTrait) -> crate::Result<Option<i64>> {
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
    txn: &impl ConnectionTrait,
    actions: I,
    backend: DbBackend,
    returning: bool,
    per_row: bool,
) -> crate::Result<(u64, Vec<Arc<A::Model>>)> {
    let mut actions = actions.into_iter().peekable();
    if actions.peek().is_none() {
        return Ok((0, Vec::new()));
    }
    let staging = (backend == DbBackend::Sqlite).then(Staging::<A>::new);
    if let Some(staging) = &staging {
        txn.execute(&staging.create()).await?;
    }
    let batch = (MAX_PARAMETERS / Layout::<A>::all().columns().count()).max(1);
    let mut stored: Vec<Arc<A::Model>> = Vec::new();
    let mut count = 0u64;
    // The columns some action sets, over every batch (for the staging table's move).
    let mut used = Layout::<A>::none();
    let mut pending = Vec::with_capacity(if per_row { 1 } else { batch });
    while actions.peek().is_some() {
        pending.extend(actions.by_ref().take(if per_row { 1 } else { batch }));
        let layout = Layout::of(&pending);
        let mut insert = Query::insert();
        match &staging {
            Some(staging) => insert.into_table(staging.table.clone()),
            None => insert.into_table(A::default().table_ref()),
        };
        insert.columns(layout.columns());
        let mut rows = 0u64;
        for action in pending.drain(..) {
            insert
                .values(layout.row(action, backend)?.into_iter().map(Into::into))
                .map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?;
            rows += 1;
        }
        count += rows;
        if staging.is_some() {
            used = used.union(&layout);
            txn.execute(&insert).await?;
        } else if per_row {
            let result = txn.execute(&insert).await?;
            stored.push(Arc::new(
                read_back::<A>(txn, result.last_insert_id()).await?,
            ));
        } else {
            run_insert::<A>(txn, insert, returning, &mut stored).await?;
        }
    }
    if let Some(staging) = &staging {
        let rebuilt = Rebuild::prepare::<A>(txn, count).await?;
        run_insert::<A>(txn, staging.move_rows(&used)?, returning, &mut stored).await?;
        rebuilt.finish(txn).await?;
        txn.execute(&staging.drop_table()).await?;
    }
    Ok((count, stored))
}

/// The indexes of the action table that a large SQLite load drops before it moves its rows
/// and creates again after, inside the same transaction.
///
/// Why: a load adds entries to every index of the table (the time, the verb, each role's
/// index), each at a place spread over the index; `CREATE INDEX` sorts all entries and
/// writes the index in order, several times cheaper per entry. Measured on the workload's
/// million actions (copied into an empty table with SQLite's shell): 17.2 s with the indexes
/// in place, 10.8 s inserting first and creating the indexes after. Creating an index costs
/// as much for the rows already in the table as for the new ones, so this is done only
/// when the table holds fewer rows than the load brings (an import, a backfill, a first
/// load).
///
/// Loads under [`REBUILD_MIN_ROWS`] never do: their index work is a few milliseconds, and
/// every schema change makes each connection read the schema again.
///
/// Every index the table has is recreated from the statement that made it (SQLite keeps it
/// in `sqlite_master`), the application's own included; the indexes behind `PRIMARY KEY`
/// and `UNIQUE` constraints have none and stay. SQLite's schema changes are transactional:
/// other connections never see the table without its indexes, and a load that fails rolls
/// the indexes back with everything else. `ANALYZE` statistics of the recreated indexes are
/// dropped with them; run `ANALYZE` after a large load, as after any.
struct Rebuild {
    /// Name and `CREATE INDEX` statement of each index dropped.
    indexes: Vec<(String, String)>,
}

/// The smallest SQLite load that may rebuild the action table's indexes (see [`Rebuild`]).
const REBUILD_MIN_ROWS: u64 = 5_000;

impl Rebuild {
    /// Drop the indexes to recreate, if a load of `rows` is larger than the table.
    async fn prepare<A: ActionEntity>(
        txn: &impl ConnectionTrait,
        rows: u64,
    ) -> crate::Result<Self> {
        use sea_orm::sea_query::{Alias, Asterisk, Expr, Func};
        let none = Rebuild {
            indexes: Vec::new(),
        };
        if rows < REBUILD_MIN_ROWS {
            return Ok(none);
        }
        // `SELECT count(*) FROM (SELECT 1 FROM <table> LIMIT <rows>)`: reads no more rows of
        // the table than the load brings.
        let mut first = Query::select();
        first
            .expr(Expr::val(1))
            .from(A::default().table_ref())
            .limit(rows);
        let mut count = Query::select();
        count
            .expr(Func::count(Expr::col(Asterisk)))
            .from_subquery(first, Alias::new("present"));
        let present = txn
            .query_one(&count)
            .await?
            .map(|row| row.try_get_by_index::<i64>(0))
            .transpose()?
            .unwrap_or(0);
        if u64::try_from(present).unwrap_or(u64::MAX) >= rows {
            return Ok(none);
        }
        let table = A::default().table_name().to_string();
        let indexes = txn
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "SELECT name, sql FROM main.sqlite_master \
                 WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY rowid",
                [table.into()],
            ))
            .await?
            .iter()
            .map(|row| Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?)))
            .collect::<Result<Vec<(String, String)>, sea_orm::DbErr>>()?;
        for (name, _) in &indexes {
            let mut drop = sea_orm::sea_query::Index::drop();
            drop.name(name.as_str());
            txn.execute(&drop).await?;
        }
        Ok(Rebuild { indexes })
    }

    /// Create the dropped indexes again.
    async fn finish(self, txn: &impl ConnectionTrait) -> crate::Result<()> {
        for (_, sql) in self.indexes {
            txn.execute_raw(Statement::from_string(DbBackend::Sqlite, sql))
                .await?;
        }
        Ok(())
    }
}

/// SQLite's bulk load goes through a temporary staging table: the batches' multi-row
/// `INSERT`s fill it, then one `INSERT .. SELECT` moves every row into the action table, in
/// order.
///
/// Why: inside a transaction, SQLite gives every statement that writes several rows and may
/// fail half-way (a foreign key, `NOT NULL`, `UNIQUE`) a statement journal, a copy of every
/// page the statement is the first to change. Each batch changes pages spread over all the
/// role indexes, so batch after batch copied the same few thousand index pages again — half of
/// a million-action load's time went into the statement journal (measured with `perf`: 103k
/// actions/s with it, 220k without). The staging table has no constraints, so its inserts
/// need no statement journal, and the one statement that moves the rows copies each page once.
/// Constraints are checked by the action table as before, and a failure rolls back the whole
/// transaction, staging table included.
struct Staging<A: ActionEntity> {
    table: sea_orm::sea_query::TableRef,
    _action: std::marker::PhantomData<A>,
}

impl<A: ActionEntity> Staging<A> {
    fn new() -> Self {
        use sea_orm::sea_query::{Alias, IntoTableRef};
        let name = format!("stream_bulk_{}", A::default().table_name());
        Staging {
            table: (Alias::new("temp"), Alias::new(name)).into_table_ref(),
            _action: std::marker::PhantomData,
        }
    }

    /// `CREATE TEMPORARY TABLE` with every column a bulk row can fill, untyped: a value keeps
    /// its bound type and the action table applies its own column affinity when the rows
    /// move, exactly as if the value had been bound there.
    fn create(&self) -> sea_orm::sea_query::TableCreateStatement {
        use sea_orm::sea_query::{ColumnDef, Table};
        let mut create = Table::create();
        create.table(self.table.clone()).temporary();
        for column in Layout::<A>::all().columns() {
            create.col(ColumnDef::new(column));
        }
        create
    }

    /// `INSERT INTO <action table> (<used>) SELECT <used> FROM <staging> ORDER BY rowid`.
    fn move_rows(&self, used: &Layout<A>) -> crate::Result<sea_orm::sea_query::InsertStatement> {
        use sea_orm::sea_query::{Expr, Order};
        let mut select = Query::select();
        select
            .columns(used.columns())
            .from(self.table.clone())
            .order_by_expr(Expr::cust("rowid"), Order::Asc);
        let mut insert = Query::insert();
        insert
            .into_table(A::default().table_ref())
            .columns(used.columns())
            .select_from(select)
            .map_err(|e| sea_orm::DbErr::Custom(e.to_string()))?;
        Ok(insert)
    }

    fn drop_table(&self) -> sea_orm::sea_query::TableDropStatement {
        let mut drop = sea_orm::sea_query::Table::drop();
        drop.table(self.table.clone());
        drop
    }
}

/// Run `insert`; with `returning`, read the rows it stored back (`RETURNING`) into `stored`.
async fn run_insert<A: ActionEntity>(
    txn: &impl ConnectionTrait,
    mut insert: sea_orm::sea_query::InsertStatement,
    returning: bool,
    stored: &mut Vec<Arc<A::Model>>,
) -> crate::Result<()> {
    if !returning {
        txn.execute(&insert).await?;
        return Ok(());
    }
    let statement = match txn.get_database_backend() {
        // MariaDB: sea-query writes no `RETURNING` for the MySQL dialect.
        DbBackend::MySql => {
            let mut statement = DbBackend::MySql.build(&insert);
            statement
                .sql
                .push_str(&crate::mariadb::returning_clause::<A>());
            statement
        }
        backend => backend.build(insert.returning_all()),
    };
    for result in txn.query_all_raw(statement).await? {
        stored.push(Arc::new(A::Model::from_query_result(&result, "")?));
    }
    Ok(())
}

async fn read_back<A: ActionEntity>(
    txn: &impl ConnectionTrait,
    id: u64,
) -> crate::Result<A::Model> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let id = i64::try_from(id).map_err(|_| sea_orm::DbErr::UnpackInsertId)?;
    A::find()
        .filter(A::ID.eq(id))
        .one(txn)
        .await?
        .ok_or_else(|| sea_orm::DbErr::RecordNotFound(format!("action {id} after insert")).into())
}
