//! Streams: the `for_*` lookups, newest first.

use crate::{ActionEntity, Role, RoleRef};
use sea_orm::{
    ColumnTrait, Condition, QueryFilter, QueryOrder, Select,
    sea_query::{Expr, ExprTrait},
};

/// Order a select newest first: `timestamp DESC, id DESC`.
pub fn newest_first<A: ActionEntity>(select: Select<A>) -> Select<A> {
    select.order_by_desc(A::TIMESTAMP).order_by_desc(A::ID)
}

/// Actions whose `role` is any of `objects`: one `IN (..)` per generated column.
pub(crate) fn for_refs<A: ActionEntity>(
    role: Role,
    objects: impl IntoIterator<Item = RoleRef<A>>,
) -> Select<A> {
    newest_first(A::find().filter(any_of(role, objects)))
}

/// The condition "the object in `role` is one of `objects`". An empty list matches nothing.
pub fn any_of<A: ActionEntity>(
    role: Role,
    objects: impl IntoIterator<Item = RoleRef<A>>,
) -> Condition {
    let objects: Vec<RoleRef<A>> = objects.into_iter().collect();
    let mut condition = Condition::any();
    let mut empty = true;
    for &column in A::role_columns(role) {
        let keys: Vec<_> = objects
            .iter()
            .filter(|object| crate::shared::same_column(object.column(), column))
            .map(|object| object.value().clone())
            .collect();
        if !keys.is_empty() {
            empty = false;
            condition = condition.add(column.is_in(keys));
        }
    }
    if empty {
        condition = condition.add(nothing());
    }
    condition
}

/// A condition no row satisfies: `1 = 0`, spelled portably.
pub(crate) fn nothing() -> sea_orm::sea_query::SimpleExpr {
    Expr::value(1).eq(0)
}

/// `column₁ … OR column₂ …`: `test` applied to each column, any of them true.
pub(crate) fn any_column_is<A: ActionEntity>(
    columns: &[A::Column],
    test: impl Fn(A::Column) -> sea_orm::sea_query::SimpleExpr,
) -> Condition {
    columns.iter().fold(Condition::any(), |condition, &column| {
        condition.add(test(column))
    })
}
