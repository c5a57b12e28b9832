//! The generated decoders' building blocks: joins selecting a model's columns under an alias,
//! and reading a joined model back by name or by position.

use crate::{ActionEntity, Role, Streamable};
use sea_orm::{
    ColumnTrait, DbErr, EntityTrait, FromQueryResult, IdenStatic, JoinType, QueryResult,
    QuerySelect, RelationDef, Select, TryGetError, TryGetable,
    sea_query::{Alias, Expr},
};

/// The prefix of the columns selected for the join `alias`, as read back by
/// `FromQueryResult` (which puts `pre` in front of each column name).
fn prefix(pre: &str, alias: &str) -> String {
    format!("{pre}{alias}__")
}

/// `LEFT JOIN` the table of model `M` through `relation`, under `alias`, and select each of
/// its `columns` as `"<alias>__<column>"`: `M::__STREAM_COLUMNS` for the generated
/// `join_roles`, `M::__STREAM_PAGE_COLUMNS` for the page's `__join_roles_for_page`.
pub fn join_model<A: ActionEntity, M: Streamable>(
    select: Select<A>,
    relation: RelationDef,
    alias: &'static str,
    columns: &[<M::Entity as EntityTrait>::Column],
) -> Select<A> {
    let mut select = select.join_as(JoinType::LeftJoin, relation, Alias::new(alias));
    let pre = prefix("", alias);
    for &column in columns {
        let expr = column.select_as(Expr::col((Alias::new(alias), column)));
        select = select.column_as(expr, format!("{pre}{}", column.as_str()));
    }
    select
}

/// Decode the model joined at position `at` of a page row through the role column holding
/// `key` (see `Streamable::__stream_decode`); like [`decode_model`], a missing row is an
/// error.
pub fn decode_model_at<M: Streamable>(
    row: &QueryResult,
    at: usize,
    key: &M::Pk,
    action_id: i64,
    role: Role,
) -> Result<M, DbErr> {
    match M::__stream_decode(row, at, key) {
        Ok(model) => Ok(model),
        Err(TryGetError::Null(_)) => Err(crate::error::missing_role_db(action_id, role)),
        Err(TryGetError::DbErr(err)) => Err(err),
    }
}

/// The primary key at position `index`: [`TryGetError::Null`] when it is `NULL`, which in a
/// page row means the joined row does not exist.
pub fn key_at<T: TryGetable>(row: &QueryResult, index: usize) -> Result<T, TryGetError> {
    row.try_get_by_index_nullable::<Option<T>>(index)?
        .ok_or_else(|| TryGetError::Null(index.to_string()))
}

/// The nullable column at position `index`: `None` for `NULL`.
///
/// Checks for `NULL` on the driver's row first: sea-orm reads an `Option<T>` by reading a
/// `T` and formatting an error message for the `NULL` it finds, and most of a page's role
/// columns are `NULL`.
pub fn optional_at<T: TryGetable>(
    row: &QueryResult,
    index: usize,
) -> Result<Option<T>, TryGetError> {
    if null_at(row, index) == Some(true) {
        return Ok(None);
    }
    row.try_get_by_index_nullable(index)
}

/// Whether the value at `index` is `NULL`, asked of the driver's row; `None` for a row of
/// no driver (a mock), which the caller then decodes as usual.
fn null_at(row: &QueryResult, index: usize) -> Option<bool> {
    #[cfg(any(feature = "sqlite", feature = "postgres", feature = "mysql"))]
    use sea_orm::sqlx::{Row, ValueRef};
    #[cfg(feature = "sqlite")]
    if let Some(row) = row.try_as_sqlite_row() {
        return Some(row.try_get_raw(index).is_ok_and(|value| value.is_null()));
    }
    #[cfg(feature = "postgres")]
    if let Some(row) = row.try_as_pg_row() {
        return Some(row.try_get_raw(index).is_ok_and(|value| value.is_null()));
    }
    #[cfg(feature = "mysql")]
    if let Some(row) = row.try_as_mysql_row() {
        return Some(row.try_get_raw(index).is_ok_and(|value| value.is_null()));
    }
    let _ = (row, index);
    None
}

/// The column `column` at position `index`. A `NULL` where the field is not an `Option` is a
/// type error naming the column, as sea-orm reports it when decoding by name.
pub fn column_at<T: TryGetable>(
    row: &QueryResult,
    index: usize,
    column: impl IdenStatic,
) -> Result<T, TryGetError> {
    row.try_get_by_index_nullable(index)
        .map_err(|err| match err {
            TryGetError::Null(_) => TryGetError::DbErr(DbErr::Type(format!(
                "Missing value for column '{}'",
                column.as_str()
            ))),
            err => err,
        })
}

/// Decode the model joined under `alias` from `row`. The action's own column says the role is
/// set, so a missing row (all `NULL`) is an error, not `None`.
pub fn decode_model<M: FromQueryResult>(
    row: &QueryResult,
    pre: &str,
    alias: &str,
    action_id: i64,
    role: Role,
) -> Result<M, DbErr> {
    match M::from_query_result_nullable(row, &prefix(pre, alias)) {
        Ok(model) => Ok(model),
        Err(TryGetError::Null(_)) => Err(crate::error::missing_role_db(action_id, role)),
        Err(TryGetError::DbErr(err)) => Err(err),
    }
}
