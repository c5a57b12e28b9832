//! Bulk send: many actions in one transaction, one multi-row `INSERT` per batch.

use crate::{ActionEntity, NewAction, Role};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, FromQueryResult, TransactionTrait, Value,
    sea_query::Query,
};
use std::sync::Arc;

/// Bind parameters per statement, under the smallest limit of the three backends (SQLite's
/// 32,766).
const MAX_PARAMETERS: usize = 30_000;

/// The columns every bulk row fills: timestamp, verb, description, then every role column.
fn columns<A: ActionEntity>() -> Vec<A::Column> {
    let mut columns = vec![A::TIMESTAMP, A::VERB, A::DESCRIPTION];
    for role in [Role::Actor, Role::Target, Role::ActionObject] {
        columns.extend_from_slice(A::role_columns(role));
    }
    columns
}

fn row<A: ActionEntity>(
    action: NewAction<A>,
    columns: &[A::Column],
    backend: DbBackend,
) -> Vec<Value> {
    let mut values = Vec::with_capacity(columns.len());
    let timestamp =
        crate::send::truncate_to_micros(action.timestamp.unwrap_or_else(crate::send::now));
    // MariaDB nulls a `DateTime<Utc>` parameter outside 1970..2038; see `timestamp_value`.
    values.push(crate::schema::timestamp_value(backend, timestamp));
    values.push(sea_orm::ActiveEnum::into_value(action.verb).into());
    values.push(Value::from(action.description));
    let set = [Some(action.actor), action.target, action.action_object];
    for &column in &columns[3..] {
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
    let columns = columns::<A>();
    let batch = (MAX_PARAMETERS / columns.len()).max(1);
    let backend = db.get_database_backend();
    let listening = A::signal().subscriber_count() > 0;
    let returning = listening && backend != DbBackend::MySql;
    let per_row = listening && backend == DbBackend::MySql;

    let txn = db.begin().await?;
    let mut stored: Vec<Arc<A::Model>> = Vec::new();
    let mut count = 0u64;
    let mut actions = actions.into_iter().peekable();
    while actions.peek().is_some() {
        let mut insert = Query::insert();
        insert
            .into_table(A::default().table_ref())
            .columns(columns.iter().copied());
        let mut rows = 0u64;
        for action in actions.by_ref().take(if per_row { 1 } else { batch }) {
            insert
                .values(row(action, &columns, backend).into_iter().map(Into::into))
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
                    read_back::<A>(&txn, result.last_insert_id()).await?,
                ));
            }
        }
    }
    txn.commit().await?;
    for action in stored {
        A::signal().emit(action);
    }
    Ok(count)
}

async fn read_back<A: ActionEntity>(
    txn: &sea_orm::DatabaseTransaction,
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
