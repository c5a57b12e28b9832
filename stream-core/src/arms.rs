//! A SQLite page of a stream over several columns, as one limited page per column.
//!
//! A stream over several columns (`followed_by`: `actor_user IN (SELECT followed_user ..)
//! OR actor_group IN (..)`; `involving`; `for_actors` of several models) starts its condition
//! with an `OR` of one term per column. SQLite plans such an `OR` as a MULTI-INDEX OR: it
//! collects every matching action from each column's index and sorts them all for the page,
//! so the page grows with the table (9.5 ms at a million actions for a user following 50
//! users, against 0.4 ms for one object's stream). Written as one limited page per term,
//!
//! ```sql
//! SELECT <action columns> FROM stream_action WHERE stream_action.id IN (
//!     SELECT id FROM (SELECT stream_action.id FROM stream_action
//!                     WHERE (actor_user IN (..)) AND <the rest> ORDER BY .. LIMIT n) AS stream_arm_0
//!     UNION ALL
//!     SELECT id FROM (.. WHERE (actor_group IN (..)) AND <the rest> ..) AS stream_arm_1
//! ) ORDER BY timestamp DESC, id DESC LIMIT n
//! ```
//!
//! each term reads its column's `(column, timestamp, id)` index, and for an `IN` (a list, or
//! the followed objects' subquery) SQLite walks that index one value at a time, newest first,
//! and leaves a value as soon as its rows cannot enter the page (its `ORDER BY .. LIMIT`
//! early-out for `IN`): a page costs at most `n` index entries per followed object, whatever
//! the table's size. The terms select only the id (each reads a covering index); the outer
//! select reads the page's rows by primary key. A row that matches several terms comes back
//! once: `IN` is a set. Every other condition of the select (the cursor, the application's
//! own filters: "the rest") goes into every term, before its limit, so each term is the page
//! of the stream restricted to its column, and the union of those pages holds the page.
//!
//! sea-query cannot give back a select's condition, and the streams return plain sea-orm
//! `Select`s, so the terms are found in the SQL sea-query writes: this hand-written SQL is
//! built from the page's own statement, and only when it has exactly the shape the library's
//! streams give it (the action table's columns alone, a condition whose first conjunct is a
//! parenthesised `OR`, the newest-first order and nothing after it). Anything else is left as
//! it is. PostgreSQL (which walks the `(timestamp, id)` index newest first and tests the
//! follows with a hashed subplan) and MariaDB (which plans the unions' derived tables as
//! dependent subqueries, each sorting every match) keep the plain condition; see
//! [`PageQuery::statement`](crate::PageQuery::statement).

use sea_orm::{DbBackend, Statement, Values};

/// The page `statement` (`SELECT <plain columns> FROM <table> WHERE .. <order>`, no limit)
/// as one limited page per term of its leading `OR`, or `None` when it has another shape.
/// `plain` is `SELECT <action columns> FROM <table>`, `order` the newest-first `ORDER BY ..`,
/// `id` the quoted id column, `table` the quoted table name.
pub(crate) fn split(
    statement: &Statement,
    plain: &str,
    order: &str,
    table: &str,
    id: &str,
    fetch: u64,
) -> Option<Statement> {
    if statement.db_backend != DbBackend::Sqlite {
        return None;
    }
    let condition = statement
        .sql
        .strip_prefix(plain)?
        .strip_prefix(" WHERE ")?
        .strip_suffix(order)?
        .strip_suffix(' ')?;
    let (terms, rest) = leading_or(condition)?;
    let values = statement
        .values
        .as_ref()
        .map_or(&[][..], |values| values.0.as_slice());
    // `?` placeholders are positional: each term binds its own values, then the rest's.
    let mut bound = 0;
    let mut term_values = Vec::with_capacity(terms.len());
    for term in &terms {
        let count = placeholders(term)?;
        term_values.push(values.get(bound..bound + count)?);
        bound += count;
    }
    let rest_values = values.get(bound..)?;
    if placeholders(rest)? != rest_values.len() {
        return None;
    }
    let mut sql = format!("{plain} WHERE {table}.{id} IN (");
    let mut all = Vec::with_capacity(values.len() * terms.len());
    for (i, (term, own)) in terms.iter().zip(term_values).enumerate() {
        if i > 0 {
            sql.push_str(" UNION ALL ");
        }
        sql.push_str(&format!(
            "SELECT {id} FROM (SELECT {table}.{id} FROM {table} WHERE ({term}){rest} {order} \
             LIMIT {fetch}) AS \"stream_arm_{i}\""
        ));
        all.extend(own.iter().cloned());
        all.extend(rest_values.iter().cloned());
    }
    sql.push_str(&format!(") {order} LIMIT {fetch}"));
    Some(Statement {
        sql,
        values: Some(Values(all)),
        db_backend: statement.db_backend,
    })
}

/// `(a OR b OR ..) AND <rest>` → the terms and `" AND <rest>"`; `a OR b OR ..` alone (as
/// sea-query writes a condition of one `OR`) → the terms and `""`. `None` unless the first
/// conjunct is an `OR` of two terms or more, none of which has a top-level `AND`.
fn leading_or(condition: &str) -> Option<(Vec<&str>, &str)> {
    let has_and =
        |sql: &str| top_level(sql).any(|(at, depth)| depth == 0 && sql[at..].starts_with(" AND "));
    let (inner, rest) = if !has_and(condition) {
        (condition, "")
    } else if condition.starts_with('(') {
        let close = top_level(condition)
            .find(|&(at, depth)| depth == 0 && condition.as_bytes()[at] == b')')?
            .0;
        let rest = &condition[close + 1..];
        if !rest.starts_with(" AND ") {
            return None;
        }
        (&condition[1..close], rest)
    } else {
        return None;
    };
    let mut terms = Vec::new();
    let mut start = 0;
    for (at, depth) in top_level(inner) {
        if depth == 0 && inner[at..].starts_with(" OR ") {
            terms.push(&inner[start..at]);
            start = at + " OR ".len();
        }
    }
    terms.push(&inner[start..]);
    // A term with a top-level `AND` (`a AND b OR c`) is left alone rather than re-read.
    (terms.len() > 1 && !terms.iter().any(|term| has_and(term))).then_some((terms, rest))
}

/// The byte offsets of `sql` outside quoted strings and identifiers, each with the depth of
/// parentheses before it (an opening parenthesis is at the depth outside it, a closing one at
/// the depth inside it, less one: both at the depth of what surrounds them).
fn top_level(sql: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut quote: Option<u8> = None;
    let mut depth = 0usize;
    sql.bytes().enumerate().filter_map(move |(at, byte)| {
        if let Some(q) = quote {
            // A doubled quote inside a quoted text closes and reopens it: same result.
            if byte == q {
                quote = None;
            }
            return None;
        }
        match byte {
            b'\'' | b'"' | b'`' => {
                quote = Some(byte);
                None
            }
            b'(' => {
                depth += 1;
                Some((at, depth - 1))
            }
            b')' => {
                depth = depth.checked_sub(1)?;
                Some((at, depth))
            }
            _ => Some((at, depth)),
        }
    })
}

/// The `?` placeholders of `sql` outside quotes; `None` if its quotes are unbalanced.
fn placeholders(sql: &str) -> Option<usize> {
    let quotes = sql
        .bytes()
        .filter(|b| matches!(b, b'\'' | b'"' | b'`'))
        .count();
    if quotes % 2 != 0 {
        return None;
    }
    Some(
        top_level(sql)
            .filter(|&(at, _)| sql.as_bytes()[at] == b'?')
            .count(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_leading_or_is_split_into_its_terms() {
        let (terms, rest) =
            leading_or(r#"("a" IN (SELECT "x" FROM "f" WHERE "y" = ?) OR "b" = ?) AND "c" < ?"#)
                .unwrap();
        assert_eq!(
            terms,
            [
                r#""a" IN (SELECT "x" FROM "f" WHERE "y" = ?)"#,
                r#""b" = ?"#
            ]
        );
        assert_eq!(rest, r#" AND "c" < ?"#);
        let (terms, rest) = leading_or(r#""a" = ? OR "b" = ? OR "c" IS NOT NULL"#).unwrap();
        assert_eq!(terms, [r#""a" = ?"#, r#""b" = ?"#, r#""c" IS NOT NULL"#]);
        assert_eq!(rest, "");
        let (terms, _) = leading_or(r#"("a" = ?) OR ("b" = ? AND "c" = ?)"#).unwrap();
        assert_eq!(terms, [r#"("a" = ?)"#, r#"("b" = ? AND "c" = ?)"#]);
        let (terms, _) = leading_or(r#"("a" = ?) OR ("b" = ?)"#).unwrap();
        assert_eq!(terms, [r#"("a" = ?)"#, r#"("b" = ?)"#]);
    }

    #[test]
    fn other_conditions_are_left_alone() {
        for condition in [
            r#""a" = ?"#,
            r#""a" IN (SELECT "x" FROM "f" WHERE "y" = ? OR "z" = ?)"#,
            r#"("a" = ?) AND ("b" = ? OR "c" = ?)"#,
            r#"("a" = ? AND "b" = ? OR "c" = ?)"#,
            r#""a" = ? AND "b" = ? OR "c" = ?"#,
            r#""a" BETWEEN ? AND ? OR "c" = ?"#,
            r#""a" = 'x OR y'"#,
        ] {
            assert!(leading_or(condition).is_none(), "{condition}");
        }
    }

    #[test]
    fn placeholders_in_quotes_are_not_counted() {
        assert_eq!(
            placeholders(r#""a" = ? AND "b" = '?' AND "c?" = ?"#),
            Some(2)
        );
        assert_eq!(placeholders(r#""a" = 'it''s ?' AND ?"#), Some(1));
    }
}
