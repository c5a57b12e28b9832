//! Actions written in the caller's transaction: [`Transaction`], and [`Writer`], what every
//! write of the library runs on.

use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    ExecResult, IsolationLevel, QueryResult, SqliteTransactionMode, Statement, TransactionError,
    TransactionOptions, TransactionSession, TransactionTrait,
};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

/// What the signal owes once a transaction commits: one delivery per stored action.
pub(crate) type Publish = Box<dyn FnOnce() + Send>;

/// Deliveries queued in a transaction, in the order its actions were stored.
type Queue = Arc<Mutex<Vec<Publish>>>;

/// A database transaction that actions can be written in, and that fires their signal only
/// once it commits.
///
/// Everything an application writes with it — its own models through sea-orm, and actions
/// through [`send`](crate::ActionEntity::send), [`create`](crate::ActionEntity::create),
/// [`get_or_create`](crate::ActionEntity::get_or_create),
/// [`send_many`](crate::ActionEntity::send_many) and
/// [`follow`](crate::FollowEntity::follow) — commits together or not at all. Each action's
/// [`Signal`](crate::Signal) is held back until the outermost transaction commits: a
/// subscriber receives it exactly once, then, and never for an action that was rolled back,
/// whether by [`rollback`](Transaction::rollback), by a failed commit or by dropping the
/// transaction uncommitted.
///
/// It implements sea-orm's [`ConnectionTrait`], [`TransactionTrait`] and
/// [`TransactionSession`], so it goes wherever sea-orm takes a connection: `post.insert(&txn)`,
/// `Entity::find().all(&txn)`, and every stream of this library. [`begin`](TransactionTrait::begin)
/// on it opens a nested transaction (a `SAVEPOINT`): committing it hands its actions on to the
/// enclosing transaction, rolling it back forgets them with its rows.
///
/// The library's writes take a [`Writer`]: a `DatabaseConnection` or this type. A plain
/// sea-orm [`DatabaseTransaction`] is not one — it cannot tell the library when it commits —
/// so passing it is a compile error rather than a signal for an action that never was.
///
/// On SQLite the transaction begins `IMMEDIATE`: it takes the database's write lock at once,
/// waiting for it as long as the pool's busy timeout allows. A deferred transaction that read
/// before it wrote could not wait when it came to write, and would fail with "database is
/// locked" whenever another connection was writing.
///
/// ```
/// # use stream_core::prelude::*;
/// # use stream_core::sea_orm::{self, entity::prelude::*, Set};
/// # pub mod user {
/// #     use stream_core::sea_orm::{self, entity::prelude::*};
/// #     #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
/// #     #[sea_orm(table_name = "user")]
/// #     #[stream(actor, display = "username")]
/// #     pub struct Model { #[sea_orm(primary_key)] pub id: i32, pub username: String }
/// #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #     pub enum Relation {}
/// #     impl ActiveModelBehavior for ActiveModel {}
/// # }
/// # pub mod post {
/// #     use stream_core::sea_orm::{self, entity::prelude::*};
/// #     #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
/// #     #[sea_orm(table_name = "post")]
/// #     #[stream(action_object, display = "title")]
/// #     pub struct Model { #[sea_orm(primary_key)] pub id: i32, pub title: String }
/// #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// #     pub enum Relation {}
/// #     impl ActiveModelBehavior for ActiveModel {}
/// # }
/// # #[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, stream_core::Verb)]
/// # #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
/// # pub enum Verb { #[sea_orm(string_value = "posted")] Posted, }
/// # stream_core::action_entity! {
/// #     pub mod action { table_name = "stream_action", verb = Verb, models = [user, post] }
/// # }
/// use stream_core::Transaction;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let db = sea_orm::Database::connect("sqlite::memory:").await?;
/// # db.get_schema_builder().register(user::Entity).register(post::Entity).register(action::Entity).apply(&db).await?;
/// # let alice = user::ActiveModel { username: Set("alice".into()), ..Default::default() }.insert(&db).await?;
/// let mut posted = action::Entity::signal().subscribe();
///
/// let txn = Transaction::begin(&db).await?;
/// let post = post::ActiveModel { title: Set("Wild Haze".into()), ..Default::default() }
///     .insert(&txn)
///     .await?;
/// action::Entity::send(&txn, &alice, Verb::Posted).action_object(&post).await?;
/// assert!(posted.try_recv().is_none()); // not committed yet
/// txn.commit().await?; // the post and its action, together
/// assert!(posted.try_recv().is_some()); // the signal fires now
/// # Ok(())
/// # }
/// ```
pub struct Transaction {
    inner: DatabaseTransaction,
    /// The deliveries of the actions stored in this transaction and in the nested ones that
    /// committed inside it.
    queue: Queue,
    /// Where a nested transaction's deliveries go when it commits: its parent's queue.
    parent: Option<Queue>,
    /// Whether the server takes `INSERT .. RETURNING` where sea-orm does not know it does
    /// (MariaDB 10.5 and later), found when the outermost transaction began.
    mariadb_returning: bool,
}

impl Transaction {
    /// Begin a transaction on `db` (`IMMEDIATE` on SQLite).
    pub async fn begin(db: &DatabaseConnection) -> Result<Transaction, DbErr> {
        Self::begin_with_options(db, TransactionOptions::default()).await
    }

    /// Begin a transaction with sea-orm's options: isolation level, access mode, and on SQLite
    /// the transaction mode, `IMMEDIATE` when none is given.
    pub async fn begin_with_options(
        db: &DatabaseConnection,
        mut options: TransactionOptions,
    ) -> Result<Transaction, DbErr> {
        if options.sqlite_transaction_mode.is_none() {
            options.sqlite_transaction_mode = Some(SqliteTransactionMode::Immediate);
        }
        let mariadb_returning = crate::mariadb::takes_returning(db).await?;
        Ok(Transaction {
            inner: db.begin_with_options(options).await?,
            queue: Queue::default(),
            parent: None,
            mariadb_returning,
        })
    }

    /// Run `callback` in a new transaction: commit it if the callback returns `Ok`, roll it
    /// back if it returns `Err` — sea-orm's [`TransactionTrait::transaction`], with the
    /// library's transaction. As there, the callback returns its future boxed
    /// (`|txn| Box::pin(async move { .. })`) and owns what it uses (move clones in).
    pub async fn run<F, T, E>(
        db: &DatabaseConnection,
        callback: F,
    ) -> Result<T, TransactionError<E>>
    where
        F: for<'c> FnOnce(
                &'c Transaction,
            ) -> Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'c>>
            + Send,
        T: Send,
        E: std::fmt::Display + std::fmt::Debug + Send,
    {
        let txn = Self::begin(db)
            .await
            .map_err(TransactionError::Connection)?;
        txn.finish(callback).await
    }

    /// Commit; then, if this is the outermost transaction, fire the signal for every action
    /// stored in it, in order; if it is nested, hand them on to the enclosing transaction.
    /// A failed commit fires nothing.
    pub async fn commit(self) -> Result<(), DbErr> {
        let Transaction {
            inner,
            queue,
            parent,
            ..
        } = self;
        inner.commit().await?;
        let committed = std::mem::take(&mut *lock(&queue));
        match parent {
            Some(parent) => lock(&parent).extend(committed),
            None => committed.into_iter().for_each(|publish| publish()),
        }
        Ok(())
    }

    /// Roll back, forgetting the actions stored in this transaction. Dropping a transaction
    /// uncommitted does the same.
    pub async fn rollback(self) -> Result<(), DbErr> {
        self.inner.rollback().await
    }

    /// The sea-orm transaction underneath, for an API that names [`DatabaseTransaction`]
    /// itself. Everything written through it is part of this transaction.
    pub fn as_database_transaction(&self) -> &DatabaseTransaction {
        &self.inner
    }

    /// How many stored actions wait for this transaction's commit to be signalled.
    pub fn pending_signals(&self) -> usize {
        lock(&self.queue).len()
    }

    async fn nested(&self, options: TransactionOptions) -> Result<Transaction, DbErr> {
        Ok(Transaction {
            inner: self.inner.begin_with_options(options).await?,
            queue: Queue::default(),
            parent: Some(Arc::clone(&self.queue)),
            mariadb_returning: self.mariadb_returning,
        })
    }

    async fn finish<F, T, E>(self, callback: F) -> Result<T, TransactionError<E>>
    where
        F: for<'c> FnOnce(
                &'c Transaction,
            ) -> Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'c>>
            + Send,
        T: Send,
        E: std::fmt::Display + std::fmt::Debug + Send,
    {
        let result = callback(&self).await.map_err(TransactionError::Transaction);
        match result {
            Ok(_) => self.commit().await.map_err(TransactionError::Connection)?,
            Err(_) => self
                .rollback()
                .await
                .map_err(TransactionError::Connection)?,
        }
        result
    }
}

fn lock(queue: &Queue) -> std::sync::MutexGuard<'_, Vec<Publish>> {
    // A panic while holding the lock cannot leave the Vec inconsistent.
    queue.lock().unwrap_or_else(PoisonError::into_inner)
}

impl std::fmt::Debug for Transaction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transaction")
            .field("nested", &self.parent.is_some())
            .field("pending_signals", &self.pending_signals())
            .finish_non_exhaustive()
    }
}

#[sea_orm::prelude::async_trait::async_trait]
impl ConnectionTrait for Transaction {
    fn get_database_backend(&self) -> DbBackend {
        self.inner.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.inner.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.inner.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.inner.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.inner.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.inner.support_returning()
    }

    fn is_mock_connection(&self) -> bool {
        self.inner.is_mock_connection()
    }
}

#[sea_orm::prelude::async_trait::async_trait]
impl TransactionTrait for Transaction {
    type Transaction = Transaction;

    async fn begin(&self) -> Result<Transaction, DbErr> {
        self.nested(TransactionOptions::default()).await
    }

    async fn begin_with_config(
        &self,
        isolation_level: Option<IsolationLevel>,
        access_mode: Option<AccessMode>,
    ) -> Result<Transaction, DbErr> {
        self.nested(TransactionOptions {
            isolation_level,
            access_mode,
            ..TransactionOptions::default()
        })
        .await
    }

    async fn begin_with_options(&self, options: TransactionOptions) -> Result<Transaction, DbErr> {
        self.nested(options).await
    }

    async fn transaction<F, T, E>(&self, callback: F) -> Result<T, TransactionError<E>>
    where
        F: for<'c> FnOnce(
                &'c Transaction,
            ) -> Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'c>>
            + Send,
        T: Send,
        E: std::fmt::Display + std::fmt::Debug + Send,
    {
        let nested = self.begin().await.map_err(TransactionError::Connection)?;
        nested.finish(callback).await
    }

    async fn transaction_with_config<F, T, E>(
        &self,
        callback: F,
        isolation_level: Option<IsolationLevel>,
        access_mode: Option<AccessMode>,
    ) -> Result<T, TransactionError<E>>
    where
        F: for<'c> FnOnce(
                &'c Transaction,
            ) -> Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'c>>
            + Send,
        T: Send,
        E: std::fmt::Display + std::fmt::Debug + Send,
    {
        let nested = self
            .begin_with_config(isolation_level, access_mode)
            .await
            .map_err(TransactionError::Connection)?;
        nested.finish(callback).await
    }
}

#[sea_orm::prelude::async_trait::async_trait]
impl TransactionSession for Transaction {
    async fn commit(self) -> Result<(), DbErr> {
        Transaction::commit(self).await
    }

    async fn rollback(self) -> Result<(), DbErr> {
        Transaction::rollback(self).await
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for sea_orm::DatabaseConnection {}
    impl Sealed for super::Transaction {}
    impl<W: Sealed + ?Sized> Sealed for &W {}
    impl<W: Sealed + ?Sized> Sealed for std::sync::Arc<W> {}
}

/// What the library writes actions on: a [`DatabaseConnection`], where each write commits on
/// its own and its signal fires at once, or a [`Transaction`], where they commit with the
/// transaction and their signal waits for it (or a reference or an `Arc` of either). Sealed:
/// nothing else can promise that.
#[diagnostic::on_unimplemented(
    message = "actions are written on a `DatabaseConnection` or a `stream_core::Transaction`, not on `{Self}`",
    label = "not a `DatabaseConnection` or a `stream_core::Transaction`",
    note = "a plain sea-orm transaction cannot tell the library when it commits, so the signal could fire for an action that is rolled back: begin the transaction with `stream_core::Transaction::begin(&db)` and write your own models through it too",
    note = "a type that holds a connection: pass the connection itself (`&state.db`, `&*db`)"
)]
pub trait Writer: Sync + sealed::Sealed {
    /// The connection or transaction the statements run on.
    #[doc(hidden)]
    fn __writer(&self) -> Connection<'_>;
}

/// A [`Writer`], as the library's write functions take it. Not for direct use.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub enum Connection<'a> {
    /// Each write commits on its own.
    Database(&'a DatabaseConnection),
    /// Writes commit with the transaction.
    Transaction(&'a Transaction),
}

impl Connection<'_> {
    /// Deliver `publish` when what was written is committed: at once on a connection, at the
    /// outermost commit in a transaction.
    pub(crate) fn after_commit(self, publish: Publish) {
        match self {
            Connection::Database(_) => publish(),
            Connection::Transaction(txn) => lock(&txn.queue).push(publish),
        }
    }

    /// Whether the server takes `INSERT .. RETURNING` where sea-orm does not know it does
    /// (MariaDB 10.5 and later).
    pub(crate) async fn mariadb_returning(self) -> Result<bool, DbErr> {
        match self {
            Connection::Database(db) => crate::mariadb::takes_returning(db).await,
            Connection::Transaction(txn) => Ok(txn.mariadb_returning),
        }
    }
}

/// Run `$body` with `$db` bound to the connection or transaction of `$writer` (a
/// [`Connection`]), each arm its own monomorphisation.
macro_rules! on_writer {
    ($writer:expr, |$db:ident| $body:expr) => {
        match $writer {
            $crate::transaction::Connection::Database($db) => $body,
            $crate::transaction::Connection::Transaction($db) => $body,
        }
    };
}
pub(crate) use on_writer;

impl Writer for DatabaseConnection {
    fn __writer(&self) -> Connection<'_> {
        Connection::Database(self)
    }
}

impl Writer for Transaction {
    fn __writer(&self) -> Connection<'_> {
        Connection::Transaction(self)
    }
}

impl<W: Writer + ?Sized> Writer for &W {
    fn __writer(&self) -> Connection<'_> {
        (**self).__writer()
    }
}

impl<W: Writer + ?Sized + Send> Writer for std::sync::Arc<W> {
    fn __writer(&self) -> Connection<'_> {
        (**self).__writer()
    }
}
