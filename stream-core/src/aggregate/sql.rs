//! The one statement of an aggregated page.
//!
//! Built from the stream's own select (its order dropped), in five nested selects, so that
//! every backend runs it as one statement with window functions (SQLite 3.25, PostgreSQL,
//! MySQL 8 and MariaDB 10.2 have them):
//!
//! 1. `keyed`: each action with its group key: the verb, and per role column a `CASE` on the
//!    verb that keeps the column for the verbs whose rule names its role; a `CASE` for the UTC
//!    period (an expression per backend); a `CASE` that keeps the id for verbs grouped `none`.
//! 2. `ranked`: per group, the action's rank (newest first), its actor's rank among the
//!    actions of that actor, and the group's action count.
//! 3. `counted`: the number of distinct actors (actions that are their actor's newest), a
//!    running count of them, which numbers the actors newest first, and the group's newest
//!    action (its id and timestamp: the group's position and cursor).
//! 4. `paged`: the newest action of each of the first `actors` actors of each group whose
//!    newest action is older than the cursor, with the group's position.
//! 5. The first `fetch` positions, as a derived table under the action table's name, joined
//!    to the role models as a hydrated page is.
//!
//! Keys compare with `NULL`s equal, as `PARTITION BY` does, so an action without a target
//! groups with the other actions without one.

use crate::{ActionEntity, Cursor, Role, Verb};
use sea_orm::{
    DbBackend, IdenStatic, QuerySelect, QueryTrait, Select, Statement,
    sea_query::{
        Alias, Asterisk, Cond, Expr, ExprTrait, Frame, FrameType, Func, Order, OverStatement,
        Query, SelectStatement, WindowStatement,
    },
};

/// The column holding the id of the group's newest action.
pub(super) const GROUP: &str = "__stream_group";
/// The column holding the group's number of actions.
const ACTIONS: &str = "__stream_actions";
/// The column holding the group's number of distinct actors.
const ACTORS: &str = "__stream_actors";
const GROUP_AT: &str = "__stream_group_at";
const RANK: &str = "__stream_rank";
const ACTOR_RANK: &str = "__stream_actor_rank";
const ACTOR_ORDER: &str = "__stream_actor_order";
const POSITION: &str = "__stream_position";
const BUCKET: &str = "__stream_key_period";
const ALONE: &str = "__stream_key_alone";
/// The inbox's `seen_at` and `read_at`, selected by the stream of an inbox.
pub(super) const SEEN_AT: &str = "__stream_seen_at";
pub(super) const READ_AT: &str = "__stream_read_at";
/// The number of the group's actions not yet seen, and not yet read (inbox only).
pub(super) const UNSEEN: &str = "__stream_unseen";
pub(super) const UNREAD: &str = "__stream_unread";

/// The counts of a row's group: actions and distinct actors.
pub(super) fn group_counts(row: &sea_orm::QueryResult) -> Result<(u64, u64), sea_orm::DbErr> {
    let count = |column: &str| -> Result<u64, sea_orm::DbErr> {
        let n: i64 = row.try_get("", column)?;
        Ok(u64::try_from(n).unwrap_or_default())
    };
    Ok((count(ACTIONS)?, count(ACTORS)?))
}

fn name(text: &str) -> Alias {
    Alias::new(text)
}

fn col(text: &str) -> Expr {
    Expr::col(name(text))
}

/// `name` as an identifier on `backend`.
fn quoted(backend: DbBackend, name: &str) -> String {
    match backend {
        DbBackend::MySql => format!("`{}`", name.replace('`', "``")),
        _ => format!("\"{}\"", name.replace('"', "\"\"")),
    }
}

/// The start of the UTC `period` of the timestamp column `column`, as an expression that
/// compares equal for two timestamps of one period (its type differs per backend).
fn period_expr(backend: DbBackend, column: &str, period: super::Period) -> Expr {
    use super::Period::*;
    let c = quoted(backend, column);
    Expr::cust(match (backend, period) {
        // Stored as RFC 3339 text with an offset, which SQLite's date functions read in UTC.
        (DbBackend::Sqlite, Hour) => format!("strftime('%Y-%m-%d %H', {c})"),
        (DbBackend::Sqlite, Day) => format!("date({c})"),
        (DbBackend::Sqlite, Week) => format!("date({c}, '-6 days', 'weekday 1')"),
        // `timestamp with time zone`, taken in UTC whatever the session's time zone.
        (DbBackend::Postgres, Hour) => format!("date_trunc('hour', {c} AT TIME ZONE 'UTC')"),
        (DbBackend::Postgres, Day) => format!("date_trunc('day', {c} AT TIME ZONE 'UTC')"),
        (DbBackend::Postgres, Week) => format!("date_trunc('week', {c} AT TIME ZONE 'UTC')"),
        // `datetime(6)` holding UTC; formatted to text so the branches of the `CASE` agree.
        (_, Hour) => format!("DATE_FORMAT({c}, '%Y-%m-%d %H')"),
        (_, Day) => format!("DATE_FORMAT({c}, '%Y-%m-%d')"),
        (_, Week) => format!("DATE_FORMAT(DATE_SUB({c}, INTERVAL WEEKDAY({c}) DAY), '%Y-%m-%d')"),
    })
}

/// The slugs of the verbs of `A` whose rule passes `test`.
fn slugs<A: ActionEntity>(test: impl Fn(super::Grouping) -> bool) -> Vec<String> {
    A::Verb::all()
        .iter()
        .filter(|verb| test(verb.grouping()))
        .map(Verb::slug)
        .collect()
}

/// `CASE WHEN verb IN (slugs) THEN then END`, or `then` itself when every verb is in `slugs`,
/// or nothing when none is.
fn when_verb<A: ActionEntity>(slugs: Vec<String>, then: Expr) -> Option<Expr> {
    let all = A::Verb::all().len();
    if slugs.is_empty() {
        None
    } else if slugs.len() == all {
        Some(then)
    } else {
        let verb = Expr::col(name(A::VERB.as_str()));
        Some(Expr::case(verb.is_in(slugs), then).into())
    }
}

/// The key columns of `A`'s groups: `(alias, expression over the stream's columns)`.
fn keys<A: ActionEntity>(backend: DbBackend) -> Vec<(String, Expr)> {
    let mut keys = vec![(A::VERB.as_str().to_owned(), col(A::VERB.as_str()))];
    for role in [Role::Actor, Role::Target, Role::ActionObject] {
        for column in A::role_columns(role) {
            let slugs = slugs::<A>(|rule| !rule.is_none() && rule.groups_by(role));
            if let Some(key) = when_verb::<A>(slugs, col(column.as_str())) {
                keys.push((format!("__stream_key_{}", column.as_str()), key));
            }
        }
    }
    let timestamp = A::TIMESTAMP.as_str();
    let mut bucket: Option<sea_orm::sea_query::CaseStatement> = None;
    for period in [super::Period::Hour, super::Period::Day, super::Period::Week] {
        let slugs = slugs::<A>(|rule| !rule.is_none() && rule.period() == Some(period));
        if slugs.is_empty() {
            continue;
        }
        let when = Expr::col(name(A::VERB.as_str())).is_in(slugs);
        let then = period_expr(backend, timestamp, period);
        bucket = Some(match bucket {
            None => Expr::case(when, then),
            Some(case) => case.case(when, then),
        });
    }
    if let Some(bucket) = bucket {
        keys.push((BUCKET.to_owned(), bucket.into()));
    }
    if let Some(alone) = when_verb::<A>(slugs::<A>(|rule| rule.is_none()), col(A::ID.as_str())) {
        keys.push((ALONE.to_owned(), alone));
    }
    keys
}

/// `timestamp DESC, id DESC` for a window.
fn newest_first(window: &mut WindowStatement, timestamp: &str, id: &str) {
    window
        .order_by(name(timestamp), Order::Desc)
        .order_by(name(id), Order::Desc);
}

/// A window partitioned by the group key (and `extra` columns).
fn per_group(keys: &[String], extra: &[&str]) -> WindowStatement {
    let mut window = WindowStatement::new();
    for key in keys.iter().map(String::as_str).chain(extra.iter().copied()) {
        window.add_partition_by(col(key));
    }
    window
}

/// The stream's select, without its order, as a subquery.
fn stream<A: ActionEntity>(select: Select<A>) -> SelectStatement {
    let mut stream = select.into_query();
    stream.clear_order_by();
    stream
}

/// The statement of the unseen and unread groups of an inbox's stream (which selects
/// [`SEEN_AT`] and [`READ_AT`]): the distinct keys of its unseen actions, counted, and of its
/// unread ones. A group is unseen while any of its actions is.
pub(super) fn counts<A: ActionEntity>(select: Select<A>, backend: DbBackend) -> Statement {
    let distinct = |column: &str| {
        let mut distinct = Query::select();
        distinct
            .distinct()
            .from_subquery(stream(select.clone()), name("stream"))
            .and_where(col(column).is_null());
        for (alias, expr) in keys::<A>(backend) {
            distinct.expr_as(expr, name(&alias));
        }
        let count = Query::select()
            .expr(Func::count(Expr::col(Asterisk)))
            .from_subquery(distinct, name("groups"))
            .to_owned();
        Expr::SubQuery(None, Box::new(count.into()))
    };
    let query = Query::select()
        .expr_as(distinct(SEEN_AT), name(UNSEEN))
        .expr_as(distinct(READ_AT), name(UNREAD))
        .to_owned();
    let mut statement = backend.build(&query);
    crate::shared::bind_timestamps_for_backend(&mut statement);
    statement
}

/// The statement of a page of `fetch` groups after `cursor`, loading `actors` actors each;
/// with `inbox`, the stream selects [`SEEN_AT`] and [`READ_AT`] and each row carries its
/// group's [`UNSEEN`] and [`UNREAD`] counts.
pub(super) fn page<A: ActionEntity>(
    select: Select<A>,
    cursor: Option<&Cursor>,
    fetch: u64,
    actors: u64,
    inbox: bool,
    backend: DbBackend,
) -> Statement {
    let (id, timestamp) = (A::ID.as_str(), A::TIMESTAMP.as_str());

    // 1. Each action with its key.
    let keys = keys::<A>(backend);
    let mut keyed = Query::select();
    keyed
        .column((name("stream"), Asterisk))
        .from_subquery(stream(select), name("stream"));
    let mut key_names = Vec::new();
    for (alias, expr) in keys {
        if alias != A::VERB.as_str() {
            keyed.expr_as(expr, name(&alias));
        }
        key_names.push(alias);
    }

    // 2. Ranks within the group and within the actor's actions; the group's size and newest.
    let actor_columns: Vec<&str> = A::role_columns(Role::Actor)
        .iter()
        .map(|column| column.as_str())
        .collect();
    let mut by_group = per_group(&key_names, &[]);
    newest_first(&mut by_group, timestamp, id);
    let mut by_actor = per_group(&key_names, &actor_columns);
    newest_first(&mut by_actor, timestamp, id);
    let mut ranked = Query::select();
    ranked
        .column((name("keyed"), Asterisk))
        .from_subquery(keyed, name("keyed"))
        .expr_window_as(Func::cust(name("ROW_NUMBER")), by_group.clone(), name(RANK))
        .expr_window_as(Func::cust(name("ROW_NUMBER")), by_actor, name(ACTOR_RANK))
        .expr_window_as(
            Func::count(Expr::col(Asterisk)),
            per_group(&key_names, &[]),
            name(ACTIONS),
        );

    // 3. Distinct actors: the actions that are their actor's newest in the group.
    let first_of_actor = || Func::count(Expr::case(col(ACTOR_RANK).eq(1), 1));
    let mut running = by_group;
    running.frame_start(FrameType::Rows, Frame::UnboundedPreceding);
    let mut counted = Query::select();
    counted
        .column((name("ranked"), Asterisk))
        .from_subquery(ranked, name("ranked"))
        .expr_window_as(first_of_actor(), per_group(&key_names, &[]), name(ACTORS))
        .expr_window_as(first_of_actor(), running, name(ACTOR_ORDER))
        // Not `FIRST_VALUE`: MariaDB's does not always honour the window's order.
        .expr_window_as(
            Func::max(Expr::case(col(RANK).eq(1), col(id))),
            per_group(&key_names, &[]),
            name(GROUP),
        )
        .expr_window_as(
            Func::max(Expr::case(col(RANK).eq(1), col(timestamp))),
            per_group(&key_names, &[]),
            name(GROUP_AT),
        );
    if inbox {
        for (column, count) in [(SEEN_AT, UNSEEN), (READ_AT, UNREAD)] {
            counted.expr_window_as(
                Func::count(Expr::case(col(column).is_null(), 1)),
                per_group(&key_names, &[]),
                name(count),
            );
        }
    }

    // 4. The shown actors' actions of the groups after the cursor, with the group's position.
    let mut position = WindowStatement::new();
    newest_first(&mut position, GROUP_AT, GROUP);
    let mut paged = Query::select();
    paged
        .column((name("counted"), Asterisk))
        .from_subquery(counted, name("counted"))
        .expr_window_as(Func::cust(name("DENSE_RANK")), position, name(POSITION))
        .and_where(col(ACTOR_RANK).eq(1))
        .and_where(col(ACTOR_ORDER).lte(actors));
    if let Some(cursor) = cursor {
        let at = cursor.timestamp();
        paged.cond_where(
            Cond::any().add(col(GROUP_AT).lt(at)).add(
                Cond::all()
                    .add(col(GROUP_AT).eq(at))
                    .add(col(GROUP).lt(cursor.id())),
            ),
        );
    }

    // 5. The page's groups, under the action table's name, with the role models joined.
    let mut groups = Query::select();
    groups
        .column(Asterisk)
        .from_subquery(paged, name("paged"))
        .and_where(col(POSITION).lte(fetch));
    let table = A::default();
    let table_name = table.table_name();
    let mut page = A::__join_roles_for_page(A::find());
    let extras: &[&str] = if inbox {
        &[GROUP, ACTIONS, ACTORS, UNSEEN, UNREAD]
    } else {
        &[GROUP, ACTIONS, ACTORS]
    };
    for &extra in extras {
        page = page.column_as(Expr::col((name(table_name), name(extra))), extra);
    }
    let mut query: SelectStatement = page.into_query();
    query.from_clear().from_subquery(groups, name(table_name));
    let mut statement = backend.build(&query);
    crate::shared::bind_timestamps_for_backend(&mut statement);
    statement
}
