//! Retracting actions: deleting them through the library, so that live tails hear of it.

use crate::transaction::{Connection, on_writer};
use crate::{ActionEntity, Retracted};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, QueryFilter, QuerySelect,
    TransactionSession, TransactionTrait,
};

/// Delete the actions matching `condition`; after the commit, one retraction event each.
pub(crate) async fn retract_where<A: ActionEntity>(
    writer: Connection<'_>,
    condition: Condition,
) -> crate::Result<u64> {
    on_writer!(writer, |db| retract_on::<A, _>(writer, db, condition).await)
}

async fn retract_on<A: ActionEntity, C: ConnectionTrait + TransactionTrait>(
    writer: Connection<'_>,
    db: &C,
    condition: Condition,
) -> crate::Result<u64> {
    let deleted = match db.get_database_backend() {
        // MySQL has no `DELETE .. RETURNING` (MariaDB has, but sea-orm does not know it): the
        // rows are read with a locking read and deleted by id in one transaction (a savepoint
        // in the caller's), so that two concurrent retractions of a row cannot both report it.
        DbBackend::MySql => {
            let txn = db.begin().await?;
            let rows = A::find()
                .filter(condition)
                .lock_exclusive()
                .all(&txn)
                .await?;
            if !rows.is_empty() {
                let ids = rows.iter().map(|row| A::action_id(row));
                A::delete_many().filter(A::ID.is_in(ids)).exec(&txn).await?;
            }
            TransactionSession::commit(txn).await?;
            rows
        }
        _ => {
            A::delete_many()
                .filter(condition)
                .exec_with_returning(db)
                .await?
        }
    };
    let count = deleted.len() as u64;
    publish_retracted::<A>(writer, deleted);
    Ok(count)
}

/// Tell live tails that `deleted` are gone, once the deletion is committed.
fn publish_retracted<A: ActionEntity>(writer: Connection<'_>, deleted: Vec<A::Model>) {
    if deleted.is_empty() {
        return;
    }
    writer.after_commit(Box::new(move || {
        for action in deleted {
            A::signal().emit_retracted(Retracted::of(action));
        }
    }));
}
