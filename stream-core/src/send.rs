//! Storing actions: `send`, `create` and `get_or_create`.

use crate::transaction::{Connection, on_writer};
use crate::{ActionEntity, ActionObject, NewAction, Role, RoleRef, StreamError, Target};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, DbErr, FromQueryResult, QueryFilter,
    QueryOrder, QueryTrait, SqlErr, TryInsertResult, Value,
};
use sha2::{Digest, Sha256};
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

macro_rules! builder_setters {
    () => {
        /// What it was done to.
        pub fn target(mut self, target: &impl Target<A>) -> Self {
            self.action = self.action.target(target);
            self
        }

        /// What it was done with.
        pub fn action_object(mut self, object: &impl ActionObject<A>) -> Self {
            self.action = self.action.action_object(object);
            self
        }

        /// Free text stored with the action.
        pub fn description(mut self, description: impl Into<String>) -> Self {
            self.action = self.action.description(description);
            self
        }

        /// When it happened (default: now). Stored with microsecond precision; outside the years
        /// 1000 to 9999 storing fails with [`StreamError::TimestampOutOfRange`](crate::StreamError::TimestampOutOfRange).
        pub fn timestamp(mut self, timestamp: chrono::DateTime<chrono::Utc>) -> Self {
            self.action = self.action.timestamp(timestamp);
            self
        }

        /// Notify `recipients` of the action in the notification table `N`, in the action's
        /// transaction (see [`NewAction::notify`]): `.notify::<notification::Entity>([&lennon])`.
        pub fn notify<'r, N>(
            mut self,
            recipients: impl IntoIterator<Item = &'r N::Recipient>,
        ) -> Self
        where
            N: crate::NotificationEntity<Actions = A>,
        {
            self.action = self.action.notify::<N>(recipients);
            self
        }

        /// Keep the action out of public streams (see [`NewAction::private`]). Only for a
        /// table declared with `public = true`.
        pub fn private(mut self) -> Self
        where
            A: crate::PublicActions,
        {
            self.action = self.action.private();
            self
        }

        /// Store `data` with the action, as JSON (see [`NewAction::data`]). Only for a table
        /// declared with `data = Type`.
        #[cfg(feature = "json")]
        pub fn data(
            mut self,
            data: impl std::borrow::Borrow<<A as crate::ActionData>::Data>,
        ) -> Self
        where
            A: crate::ActionData,
        {
            self.action = self.action.data(data);
            self
        }
    };
}

/// The builder returned by [`ActionEntity::send`]; `.await` it to store the action.
#[must_use = "an action is only stored when the builder is awaited"]
pub struct SendAction<'a, A: ActionEntity> {
    db: Connection<'a>,
    action: NewAction<A>,
}

impl<'a, A: ActionEntity> SendAction<'a, A> {
    pub(crate) fn new(db: Connection<'a>, action: NewAction<A>) -> Self {
        SendAction { db, action }
    }

    builder_setters!();
}

impl<'a, A: ActionEntity> SendAction<'a, A> {
    /// Return the stored action with its actor, target and action object loaded (what a
    /// hydrated page holds and the templates render) instead of the bare row: "render what I
    /// just did" in one call. One more statement after the insert, on the same connection or
    /// transaction; see [`ActionEntity::hydrated`].
    pub fn hydrated(self) -> SendHydrated<'a, A> {
        SendHydrated { send: self }
    }
}

/// The builder returned by [`SendAction::hydrated`]; `.await` it to store the action and
/// get it back loaded (`action::Loaded`).
#[must_use = "an action is only stored when the builder is awaited"]
pub struct SendHydrated<'a, A: ActionEntity> {
    send: SendAction<'a, A>,
}

impl<'a, A: ActionEntity> IntoFuture for SendHydrated<'a, A> {
    type Output = crate::Result<A::Loaded>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        let SendAction { db, action } = self.send;
        Box::pin(async move {
            let stored = create(db, action).await?;
            on_writer!(db, |conn| A::hydrated(conn, &stored).await)
        })
    }
}

impl<'a, A: ActionEntity> IntoFuture for SendAction<'a, A> {
    type Output = crate::Result<A::Model>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(create(self.db, self.action))
    }
}

/// The builder returned by [`ActionEntity::get_or_create`]; `.await` it for
/// `(action, created)`. Its `.description(..)`, `.timestamp(..)`, `.private()` and `.data(..)`
/// apply only when the action is created: a found action keeps its own.
#[must_use = "nothing is looked up or stored until the builder is awaited"]
pub struct GetOrCreate<'a, A: ActionEntity> {
    db: Connection<'a>,
    action: NewAction<A>,
}

impl<'a, A: ActionEntity> GetOrCreate<'a, A> {
    pub(crate) fn new(db: Connection<'a>, action: NewAction<A>) -> Self {
        GetOrCreate { db, action }
    }

    builder_setters!();
}

impl<'a, A: ActionEntity> IntoFuture for GetOrCreate<'a, A> {
    type Output = crate::Result<(A::Model, bool)>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(get_or_create(self.db, self.action))
    }
}

fn active_model<A: ActionEntity>(
    action: &NewAction<A>,
    key: Option<String>,
) -> crate::Result<A::ActiveModel> {
    let mut model = <A::ActiveModel as ActiveModelTrait>::default();
    model.try_set(
        A::VERB,
        sea_orm::ActiveEnum::into_value(action.verb.clone()).into(),
    )?;
    let timestamp = crate::shared::stored_timestamp(action.timestamp)?;
    model.try_set(A::TIMESTAMP, timestamp.into())?;
    model.try_set(A::DESCRIPTION, Value::from(action.description.clone()))?;
    model.try_set(A::GET_OR_CREATE_KEY, Value::from(key))?;
    if let Some(public) = A::__PUBLIC {
        model.try_set(public, Value::from(action.public))?;
    }
    if let (Some(column), Some(data)) = (A::__DATA, action.data.value()?) {
        model.try_set(column, data.clone())?;
    }
    for role in roles(action).into_iter().flatten() {
        model.try_set(role.column(), role.value().clone())?;
    }
    Ok(model)
}

/// Whether storing `action` may write notifications: it has explicit recipients, or the rules
/// of the entity's `notify = ..` find some for the action as it will be stored (asked with
/// id 0; the rules are asked again with the stored row). Only then does a write on a
/// connection begin a transaction of its own: an action nobody is told of stays one statement.
fn delivers<A: ActionEntity>(action: &NewAction<A>) -> bool {
    if !action.notify.is_empty() {
        return true;
    }
    if !A::__NOTIFIES {
        return false;
    }
    match provisional(action) {
        Some(model) => !A::__notification_rules(&model).is_empty(),
        // Not representable (bad data, say): the write fails on its own, in a transaction.
        None => true,
    }
}

/// `action` as its stored row will read, with id 0.
fn provisional<A: ActionEntity>(action: &NewAction<A>) -> Option<A::Model> {
    use sea_orm::{Iterable, TryIntoModel};
    let mut model = active_model(action, None).ok()?;
    for column in <A::Column as Iterable>::iter() {
        if model.is_not_set(column) {
            let value = if crate::shared::same_column(column, A::ID) {
                Value::from(0i64)
            } else {
                A::null_value(column)
            };
            model.try_set(column, value).ok()?;
        }
    }
    model.try_into_model().ok()
}

fn roles<A: ActionEntity>(action: &NewAction<A>) -> [Option<&RoleRef<A>>; 3] {
    [
        Some(&action.actor),
        action.target.as_ref(),
        action.action_object.as_ref(),
    ]
}

pub(crate) async fn create<A: ActionEntity>(
    writer: Connection<'_>,
    action: NewAction<A>,
) -> crate::Result<A::Model> {
    if let (Connection::Database(db), true) = (writer, delivers(&action)) {
        // The action and its notifications commit together.
        let txn = crate::Transaction::begin(db).await?;
        let stored = create_on(Connection::Transaction(&txn), &txn, action).await?;
        txn.commit().await?;
        return Ok(stored);
    }
    on_writer!(writer, |db| create_on(writer, db, action).await)
}

async fn create_on<A: ActionEntity>(
    writer: Connection<'_>,
    db: &impl ConnectionTrait,
    action: NewAction<A>,
) -> crate::Result<A::Model> {
    let model = active_model(&action, None)?;
    // On a connection a single INSERT runs in its own implicit transaction: once it returns,
    // the row is committed and the signal fires. In a transaction the signal waits for the
    // outermost commit.
    let stored = match db.get_database_backend() {
        DbBackend::MySql => {
            mysql::insert::<A>(db, writer.mariadb_returning().await?, model).await?
        }
        _ => A::insert(model).exec_with_returning(db).await?,
    };
    action.notify.deliver(db, &stored).await?;
    publish::<A>(writer, &stored);
    Ok(stored)
}

/// Fire the signal for `stored` once what `db` wrote is committed.
fn publish<A: ActionEntity>(writer: Connection<'_>, stored: &A::Model) {
    let stored = Arc::new(stored.clone());
    writer.after_commit(Box::new(move || A::signal().emit(stored)));
}

/// MySQL and MariaDB: sea-orm's `insert`, with the timestamp bound as a `DATETIME`.
///
/// sqlx sends a `DateTime<Utc>` parameter as a MySQL `TIMESTAMP`, and MariaDB turns a
/// `TIMESTAMP` parameter outside 1970-01-01 to 2038-01-19 into NULL, whatever the column's
/// type. Sent as the naive UTC date-time (a `DATETIME` parameter) it is stored as is, from
/// the year 1000 to 9999. MariaDB 10.5 and later return the row with `INSERT .. RETURNING`
/// (one statement); MySQL has no `RETURNING`, so there the row is read back by its new id,
/// as sea-orm does.
mod mysql {
    use super::*;

    /// Insert `model` and read it back. A duplicate `get_or_create_key` is an error whose
    /// [`DbErr::sql_err`] is a unique-constraint violation.
    pub(super) async fn insert<A: ActionEntity>(
        db: &impl ConnectionTrait,
        returning: bool,
        model: A::ActiveModel,
    ) -> Result<A::Model, DbErr> {
        let mut statement = db
            .get_database_backend()
            .build(&A::insert(model).into_query());
        crate::shared::bind_timestamps_for_backend(&mut statement);
        if returning {
            statement
                .sql
                .push_str(&crate::mariadb::returning_clause::<A>());
            return A::Model::find_by_statement(statement)
                .one(db)
                .await?
                .ok_or(DbErr::RecordNotInserted);
        }
        let id = db.execute_raw(statement).await?.last_insert_id();
        let id = i64::try_from(id).map_err(|_| DbErr::UnpackInsertId)?;
        A::find()
            .filter(A::ID.eq(id))
            .one(db)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound(format!("the inserted action {id}")))
    }

    pub(super) fn is_duplicate(error: &DbErr) -> bool {
        matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
    }
}

/// The condition "exactly these roles, and no others": the chosen column of each role equals
/// the key, every other generated column is NULL.
fn exact_match<A: ActionEntity>(action: &NewAction<A>) -> sea_orm::Condition {
    let mut condition = sea_orm::Condition::all()
        .add(A::VERB.eq(sea_orm::ActiveEnum::into_value(action.verb.clone())));
    for (role, chosen) in [
        (Role::Actor, Some(&action.actor)),
        (Role::Target, action.target.as_ref()),
        (Role::ActionObject, action.action_object.as_ref()),
    ] {
        for &column in A::role_columns(role) {
            condition = match chosen {
                Some(chosen) if crate::shared::same_column(chosen.column(), column) => {
                    condition.add(column.eq(chosen.value().clone()))
                }
                _ => condition.add(column.is_null()),
            };
        }
    }
    condition
}

/// A hash of everything `get_or_create` matches on, stored in a unique column so that two
/// concurrent callers cannot both insert.
fn matching_key<A: ActionEntity>(action: &NewAction<A>) -> String {
    use sea_orm::IdenStatic;
    let mut hasher = Sha256::new();
    hasher.update(A::table_name(&A::default()).as_bytes());
    hasher.update([0]);
    hasher.update(sea_orm::ActiveEnum::to_value(&action.verb).as_bytes());
    for role in roles(action).into_iter().flatten() {
        hasher.update([0]);
        hasher.update(role.column().as_str().as_bytes());
        hasher.update([0]);
        hasher.update(format!("{:?}", role.value()).as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// How often `get_or_create` inserts before it gives up: a conflict either finds the row a
/// concurrent caller inserted, or releases the key of a row edited since it was created,
/// so a second insert succeeds unless the key was taken again in between.
const GET_OR_CREATE_ATTEMPTS: usize = 4;

/// `select` reading the latest committed rows. In a MySQL or MariaDB transaction a plain
/// read sees the snapshot taken at its first read (`REPEATABLE READ`), which misses the row a
/// concurrent caller committed after it; a locking read (`LOCK IN SHARE MODE`) sees it.
/// PostgreSQL (`READ COMMITTED`) and SQLite (one writer at a time) see it anyway.
fn latest<A: ActionEntity>(
    db: &impl ConnectionTrait,
    select: sea_orm::Select<A>,
) -> sea_orm::Select<A> {
    use sea_orm::QuerySelect;
    match db.get_database_backend() {
        DbBackend::MySql => select.lock_shared(),
        _ => select,
    }
}

pub(crate) async fn get_or_create<A: ActionEntity>(
    writer: Connection<'_>,
    action: NewAction<A>,
) -> crate::Result<(A::Model, bool)> {
    if let (Connection::Database(db), true) = (writer, delivers(&action)) {
        // A created action and its notifications commit together.
        let txn = crate::Transaction::begin(db).await?;
        let found = get_or_create_on(Connection::Transaction(&txn), &txn, action).await?;
        txn.commit().await?;
        return Ok(found);
    }
    on_writer!(writer, |db| get_or_create_on(writer, db, action).await)
}

async fn get_or_create_on<A: ActionEntity>(
    writer: Connection<'_>,
    db: &impl ConnectionTrait,
    action: NewAction<A>,
) -> crate::Result<(A::Model, bool)> {
    // Data that cannot be serialized fails the call whether or not the action exists.
    action.data.value()?;
    let matching = || A::find().filter(exact_match(&action)).order_by_asc(A::ID);
    let key = matching_key(&action);
    for _ in 0..GET_OR_CREATE_ATTEMPTS {
        if let Some(existing) = matching().one(db).await? {
            return Ok((existing, false));
        }
        let model = active_model(&action, Some(key.clone()))?;
        let inserted = match db.get_database_backend() {
            // A plain INSERT, which a duplicate key fails: clearer than the `ON DUPLICATE KEY
            // UPDATE` polyfill, which reports one affected row either way (sqlx asks for found
            // rows) and an insert id that means nothing when the row was already there.
            DbBackend::MySql => {
                match mysql::insert::<A>(db, writer.mariadb_returning().await?, model).await {
                    Ok(stored) => Ok(TryInsertResult::Inserted(stored)),
                    Err(error) if mysql::is_duplicate(&error) => Ok(TryInsertResult::Conflicted),
                    Err(error) => Err(error),
                }
            }
            _ => {
                A::insert(model)
                    .on_conflict_do_nothing_on([A::GET_OR_CREATE_KEY])
                    .exec_with_returning(db)
                    .await
            }
        };
        match inserted {
            Ok(TryInsertResult::Inserted(stored)) => {
                action.notify.deliver(db, &stored).await?;
                publish::<A>(writer, &stored);
                return Ok((stored, true));
            }
            Err(error) if !matches!(error, DbErr::RecordNotFound(_)) => return Err(error.into()),
            // Conflicted; a backend without `RETURNING` reports it as "inserted row not found".
            _ => {}
        }
        // Another row holds the key: one a concurrent caller just inserted (it matches), or
        // one changed since it was created by an update that left its key (plain sea-orm
        // code, `update_many`), which no longer matches and must give the key up.
        let holder = latest(db, A::find().filter(A::GET_OR_CREATE_KEY.eq(key.as_str())))
            .one(db)
            .await?;
        let Some(holder) = holder else {
            continue; // deleted in between: insert again
        };
        let id = A::action_id(&holder);
        if latest(db, matching().filter(A::ID.eq(id)))
            .one(db)
            .await?
            .is_some()
        {
            return Ok((holder, false));
        }
        A::update_many()
            .col_expr(
                A::GET_OR_CREATE_KEY,
                sea_orm::sea_query::Expr::value(Value::String(None)),
            )
            .filter(A::ID.eq(id))
            .filter(A::GET_OR_CREATE_KEY.eq(key.as_str()))
            .exec(db)
            .await?;
    }
    Err(StreamError::Database(DbErr::RecordNotInserted))
}
