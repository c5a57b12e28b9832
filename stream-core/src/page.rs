//! Cursor (keyset) pagination for every stream, newest first.
//!
//! A page is read with `WHERE (timestamp, id) < (cursor) ORDER BY timestamp DESC, id DESC
//! LIMIT n + 1`, never with `OFFSET`, so page 1000 costs what page 1 costs: the database
//! walks an index from the cursor on. The [`Cursor`] is an opaque string a web client can
//! carry in a URL (`?after=...`); one that was edited or mangled is rejected with
//! [`StreamError::InvalidCursor`].
//!
//! ```
//! use stream_core::prelude::*;
//! # use stream_core::sea_orm::{self, entity::prelude::*};
//! # pub mod user {
//! #     use stream_core::sea_orm::{self, entity::prelude::*};
//! #     #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
//! #     #[sea_orm(table_name = "user")]
//! #     #[stream(actor, target, display = "username")]
//! #     pub struct Model { #[sea_orm(primary_key)] pub id: i32, pub username: String }
//! #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
//! #     pub enum Relation {}
//! #     impl ActiveModelBehavior for ActiveModel {}
//! # }
//! # #[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, stream_core::Verb)]
//! # #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
//! # pub enum Verb { #[sea_orm(string_value = "followed")] Followed, }
//! # stream_core::action_entity! {
//! #     pub mod action { table_name = "stream_action", verb = Verb, models = [user] }
//! # }
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let db = sea_orm::Database::connect("sqlite::memory:").await?;
//! # db.get_schema_builder().register(user::Entity).register(action::Entity).apply(&db).await?;
//! # let named = |name: &str| user::ActiveModel { username: sea_orm::Set(name.into()), ..Default::default() };
//! # let lennon = named("lennon").insert(&db).await?;
//! # for fan in 0..21 {
//! #     let fan = named(&format!("fan{fan}")).insert(&db).await?;
//! #     action::Entity::send(&db, &lennon, Verb::Followed).target(&fan).await?;
//! # }
//!
//! let first = action::Entity::for_actor(&lennon).page(None, 20).all(&db).await?;
//! if let Some(next) = &first.next {
//!     let url = format!("/users/lennon?after={next}");
//!     // .. later, from the request:
//! #   let after_param = url.split_once("after=").map_or("", |(_, after)| after);
//!     let cursor: stream_core::Cursor = after_param.parse()?;
//!     let second = action::Entity::for_actor(&lennon).page(Some(&cursor), 20).all(&db).await?;
//! #   assert_eq!((second.items.len(), second.next), (1, None));
//! }
//! # assert!(first.next.is_some());
//! # Ok(())
//! # }
//! ```

use crate::{ActionEntity, StreamError};
use chrono::{DateTime, Utc};
use sea_orm::{
    ConnectionTrait, DbBackend, FromQueryResult, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
    Select, Statement,
    sea_query::{Alias, Expr, ExprTrait, Func},
};
use sha2::{Digest, Sha256};
use std::any::TypeId;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

/// Where the next page starts: the `(timestamp, id)` of the last action of the previous page.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cursor {
    timestamp_micros: i64,
    id: i64,
}

/// Bytes of the keyed checksum appended to a cursor.
const TAG: usize = 8;
/// Distinguishes a cursor of this library from any other hex string.
const DOMAIN: &[u8] = b"stream-core cursor v1";

impl Cursor {
    /// The cursor just after `action` in newest-first order.
    pub fn after<A: ActionEntity>(action: &A::Model) -> Self {
        Cursor {
            timestamp_micros: A::action_timestamp(action).timestamp_micros(),
            id: A::action_id(action),
        }
    }

    /// The cursor at `timestamp` and `id`.
    pub(crate) fn at(timestamp: DateTime<Utc>, id: i64) -> Self {
        Cursor {
            timestamp_micros: timestamp.timestamp_micros(),
            id,
        }
    }

    /// The timestamp of the last action seen.
    pub fn timestamp(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(self.timestamp_micros).unwrap_or_default()
    }

    /// The id of the last action seen.
    pub fn id(&self) -> i64 {
        self.id
    }

    fn tag(payload: &[u8]) -> [u8; TAG] {
        let digest = Sha256::new()
            .chain_update(DOMAIN)
            .chain_update(payload)
            .finalize();
        let mut tag = [0; TAG];
        tag.copy_from_slice(&digest[..TAG]);
        tag
    }

    fn payload(&self) -> [u8; 16] {
        let mut payload = [0; 16];
        payload[..8].copy_from_slice(&self.timestamp_micros.to_be_bytes());
        payload[8..].copy_from_slice(&self.id.to_be_bytes());
        payload
    }
}

/// The cursor as 48 lowercase hex digits: timestamp, id and a checksum that catches edits.
impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let payload = self.payload();
        for byte in payload.iter().chain(Self::tag(&payload).iter()) {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Cursor {
    type Err = StreamError;

    fn from_str(text: &str) -> Result<Self, StreamError> {
        const LEN: usize = 16 + TAG;
        if text.len() != LEN * 2 {
            return Err(StreamError::InvalidCursor("wrong length"));
        }
        let mut bytes = [0u8; LEN];
        for (i, byte) in bytes.iter_mut().enumerate() {
            let pair = text
                .get(i * 2..i * 2 + 2)
                .ok_or(StreamError::InvalidCursor("not hexadecimal"))?;
            *byte = u8::from_str_radix(pair, 16)
                .map_err(|_| StreamError::InvalidCursor("not hexadecimal"))?;
        }
        let (payload, tag) = bytes.split_at(16);
        if Self::tag(payload) != tag {
            return Err(StreamError::InvalidCursor("checksum mismatch"));
        }
        let timestamp_micros = i64::from_be_bytes(payload[..8].try_into().expect("8 bytes"));
        let id = i64::from_be_bytes(payload[8..].try_into().expect("8 bytes"));
        if DateTime::from_timestamp_micros(timestamp_micros).is_none() {
            return Err(StreamError::InvalidCursor("timestamp out of range"));
        }
        Ok(Cursor {
            timestamp_micros,
            id,
        })
    }
}

/// The largest page [`PageQuery::all`] and [`PageQuery::hydrated`] read: larger sizes (and 0)
/// are [`StreamError::InvalidPageSize`]. To read more at once, use the stream's `Select`
/// itself (`.all(&db)`, `.paginate(..)`, `.stream(..)`).
pub const MAX_PAGE_SIZE: u64 = 1_000;

/// One page of a stream.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    /// The actions, newest first.
    pub items: Vec<T>,
    /// Where the next (older) page starts; `None` on the last page.
    pub next: Option<Cursor>,
}

/// A stream restricted to one page; `.all(&db)` for the actions, or `.hydrated(&db)` for
/// the actions with their objects loaded.
#[must_use = "nothing is read until `.all(&db)` or `.hydrated(&db)` is awaited"]
pub struct PageQuery<A: ActionEntity> {
    select: Select<A>,
    cursor: Option<Cursor>,
    size: u64,
}

/// Keyset pagination for any stream of actions.
pub trait Paginate<A: ActionEntity> {
    /// The page of `size` actions after `cursor` (`None`: the newest). The select must be in
    /// newest-first order, as every stream of this library is. Reading it fails with
    /// [`StreamError::InvalidPageSize`] unless `size` is 1 to [`MAX_PAGE_SIZE`].
    fn page(self, cursor: Option<&Cursor>, size: u64) -> PageQuery<A>;
}

impl<A: ActionEntity> Paginate<A> for Select<A> {
    fn page(self, cursor: Option<&Cursor>, size: u64) -> PageQuery<A> {
        PageQuery {
            select: self,
            cursor: cursor.copied(),
            size,
        }
    }
}

/// The keyset condition for `backend`. PostgreSQL and SQLite take the row comparison
/// `(timestamp, id) < (t, i)` as one index condition on `(column, timestamp, id)`, whatever
/// plan a prepared statement settles on; MariaDB ranges better on the expanded form.
///
/// On SQLite the cursor's values are bound inside `CAST(? AS ..)`, a no-op for values of
/// the column's type. A bare parameter in a range is one whose value SQLite's planner
/// samples when `ANALYZE` statistics exist (`sqlite_stat4`, which sqlx's bundled SQLite
/// keeps): such a statement is parsed and planned again every time a new value is bound,
/// which for a hydrated page costs as much as running it. The cast hides the value from
/// the planner; the range is still an index range (see the plan tests).
fn keyset<A: ActionEntity>(cursor: &Cursor, backend: DbBackend) -> sea_orm::Condition {
    let table = A::default();
    let row = Expr::tuple([Expr::col((table, A::TIMESTAMP)), Expr::col((table, A::ID))]);
    let (timestamp, id) = (Expr::value(cursor.timestamp()), Expr::value(cursor.id));
    let at = match backend {
        DbBackend::MySql => return older_than::<A>(cursor),
        DbBackend::Sqlite => Expr::tuple([
            Func::cast_as(timestamp, Alias::new("TEXT")).into(),
            Func::cast_as(id, Alias::new("INTEGER")).into(),
        ]),
        _ => Expr::tuple([timestamp, id]),
    };
    sea_orm::Condition::all().add(row.lt(at))
}

/// `timestamp <= t AND (timestamp < t OR id < i)`: the keyset condition, written so that every
/// backend turns it into an index range.
fn older_than<A: ActionEntity>(cursor: &Cursor) -> sea_orm::Condition {
    let table = A::default();
    let timestamp = Expr::col((table, A::TIMESTAMP));
    let id = Expr::col((table, A::ID));
    let at = cursor.timestamp();
    sea_orm::Condition::all()
        .add(timestamp.clone().lte(at))
        .add(
            sea_orm::Condition::any()
                .add(timestamp.lt(at))
                .add(id.lt(cursor.id)),
        )
}

impl<A: ActionEntity> PageQuery<A> {
    /// One extra row tells whether there is a next page.
    fn fetch(&self) -> u64 {
        self.size.saturating_add(1)
    }

    /// The size, if it is one a page can have (1 to [`MAX_PAGE_SIZE`]).
    fn checked_size(&self) -> crate::Result<u64> {
        if (1..=MAX_PAGE_SIZE).contains(&self.size) {
            Ok(self.size)
        } else {
            Err(StreamError::InvalidPageSize {
                size: self.size,
                max: MAX_PAGE_SIZE,
            })
        }
    }

    /// The underlying select, with the keyset filter (in its portable form) and
    /// `LIMIT size + 1` applied.
    pub fn into_select(self) -> Select<A> {
        let fetch = self.fetch();
        let mut select = self.select;
        if let Some(cursor) = &self.cursor {
            select = select.filter(older_than::<A>(cursor));
        }
        select.limit(fetch)
    }

    /// The select with the keyset condition for `backend`.
    fn filtered(select: Select<A>, cursor: Option<&Cursor>, backend: DbBackend) -> Select<A> {
        match cursor {
            Some(cursor) => select.filter(keyset::<A>(cursor, backend)),
            None => select,
        }
    }

    /// The statement [`all`](Self::all) runs on `backend`: the select with the keyset
    /// condition and a literal `LIMIT size + 1`. For `EXPLAIN`, logging or a query of your own.
    ///
    /// On SQLite, a stream over several columns — a condition that starts with an `OR` of one
    /// term per column, as `followed_by`, `followed_by_in`, `involving` and `for_actors` of
    /// several models have — is read as one limited page of ids per term, merged:
    /// `WHERE id IN (SELECT id FROM (<term 1> AND <the rest> ORDER BY .. LIMIT n) UNION ALL ..)
    /// ORDER BY .. LIMIT n`. Its page then costs at most `n` index entries per followed object,
    /// where SQLite would collect and sort every action matching the `OR`. Same rows, same
    /// order, same cursors; still one statement.
    pub fn statement(&self, backend: DbBackend) -> Statement {
        match &self.cursor {
            None => Self::limited(&self.select, backend, self.fetch()),
            Some(cursor) => {
                let select = Self::filtered(self.select.clone(), Some(cursor), backend);
                Self::limited(&select, backend, self.fetch())
            }
        }
    }

    /// The statement [`hydrated`](Self::hydrated) runs on `backend`, for `EXPLAIN`, logging or
    /// a query of your own. On PostgreSQL, and on MySQL/MariaDB for a stream that reads one
    /// index range (every action, or one object in one role), it is flat: the page of
    /// [`statement`](Self::statement) with the role joins of [`Hydrate`](crate::Hydrate) added.
    /// On SQLite, and on MySQL/MariaDB for a stream over several objects or roles, it is that
    /// page as a derived table under the action table's own name, with the role joins applied
    /// to its rows only.
    pub fn hydrated_statement(&self, backend: DbBackend) -> Statement {
        PageQuery {
            select: self.select.clone(),
            ..*self
        }
        .into_hydrated_page(backend)
        .0
    }

    /// The hydrated statement, and whether its columns are the action's followed by each
    /// joined model's, in the order the generated page decoder reads them by position.
    ///
    /// Takes the page by value: a page is read far more often than its statement is looked
    /// at, and cloning the select (a few dozen boxed expressions) costs a tenth of decoding
    /// the page.
    fn into_hydrated_page(self, backend: DbBackend) -> (Statement, bool) {
        let fetch = self.fetch();
        let joins = role_joins::<A>(backend);
        // MariaDB: whether the stream, without the cursor, reads one index range.
        let mysql_flat = (backend == DbBackend::MySql && self.cursor.is_some())
            .then(|| one_index_range(&self.select.build(backend).sql));
        let select = Self::filtered(self.select, self.cursor.as_ref(), backend);
        let page = Self::limited(&select, backend, fetch);
        let flat = match backend {
            DbBackend::Postgres => true,
            // MariaDB materialises a derived table (a temporary table and a sort): worth it
            // only where the joins would otherwise run for rows the page drops.
            DbBackend::MySql => mysql_flat.unwrap_or_else(|| one_index_range(&page.sql)),
            _ => false,
        };
        if !flat {
            let statement = Statement {
                sql: format!("{}{}{}", joins.select, page.sql, joins.rest),
                values: page.values,
                db_backend: backend,
            };
            return (statement, true);
        }
        // The flat form: the page with the joins' columns and `LEFT JOIN`s put in after
        // `FROM <table>`. Built from the cached parts when the page selects exactly the
        // action's columns from the action table alone, which is what every stream of this
        // library does.
        let spliced = page.sql.strip_prefix(joins.plain.as_str()).filter(|rest| {
            rest.is_empty()
                || [" WHERE ", " ORDER BY ", " LIMIT "]
                    .iter()
                    .any(|k| rest.starts_with(k))
        });
        match spliced {
            Some(rest) => {
                let statement = Statement {
                    sql: format!("{}{rest}", joins.flat),
                    values: page.values,
                    db_backend: backend,
                };
                (statement, true)
            }
            // A select of its own (extra columns, joins, `DISTINCT`, ..): joined by sea-query,
            // and decoded by column name.
            None => (Self::limited(&A::join_roles(select), backend, fetch), false),
        }
    }

    /// The page's statement, with the `LIMIT` written as a literal.
    ///
    /// sea-query binds `LIMIT` as a parameter. Planners that do not see the number plan for
    /// "many rows": PostgreSQL then re-plans the prepared statement on every execution (for
    /// a hydrated page, its ten-table join costs far more to plan than to run) and SQLite may
    /// walk the wrong index. The limit is a number this library computed, so writing it into
    /// the SQL is safe.
    ///
    /// On SQLite a stream over several columns (a condition led by an `OR` of one term per
    /// column: `followed_by`, `involving`, `for_actors` of several models) is read as one
    /// limited page per term, merged by id (see `arms.rs`): SQLite would otherwise collect
    /// and sort every matching action for the page.
    fn limited(select: &Select<A>, backend: DbBackend, fetch: u64) -> Statement {
        let mut statement = select.build(backend);
        let parts = (backend == DbBackend::Sqlite).then(|| role_joins::<A>(backend));
        match parts.and_then(|joins| {
            crate::arms::split(
                &statement,
                &joins.plain,
                &joins.order,
                &joins.table,
                &joins.id,
                fetch,
            )
        }) {
            Some(arms) => statement = arms,
            None => statement.sql.push_str(&format!(" LIMIT {fetch}")),
        }
        // The cursor's timestamp: MariaDB nulls a `DateTime<Utc>` parameter outside
        // 1970..2038 (see `schema::timestamp_value`).
        crate::shared::bind_timestamps_for_backend(&mut statement);
        statement
    }

    /// Read the page.
    pub async fn all<C: ConnectionTrait>(self, db: &C) -> crate::Result<Page<A::Model>> {
        self.checked_size()?;
        let statement = self.statement(db.get_database_backend());
        let rows = A::Model::find_by_statement(statement).all(db).await?;
        Ok(split(rows, self.size, |action| Cursor::after::<A>(action)))
    }

    /// Read the page with every actor, target and action object loaded, in one statement (see
    /// [`Hydrate`](crate::Hydrate) and [`hydrated_statement`](Self::hydrated_statement)).
    ///
    /// Rows are decoded by position, in the order the generated code selects them. Where the
    /// statement is flat and the select adds columns or joins of its own (`column_as`,
    /// `distinct`, ..), the page is joined and decoded by column name instead, as
    /// [`Hydrate`](crate::Hydrate) does; both give the same page.
    pub async fn hydrated<C: ConnectionTrait>(self, db: &C) -> crate::Result<Page<A::Loaded>> {
        let size = self.checked_size()?;
        let (statement, by_position) = self.into_hydrated_page(db.get_database_backend());
        let rows = db.query_all_raw(statement).await?;
        let rows = if by_position {
            rows.iter()
                .map(A::__decode_page_row)
                .collect::<Result<Vec<_>, _>>()?
        } else {
            rows.iter()
                .map(|row| A::Loaded::from_query_result(row, ""))
                .collect::<Result<Vec<_>, _>>()?
        };
        Ok(split(rows, size, |loaded| {
            Cursor::after::<A>(loaded.as_ref())
        }))
    }
}

/// Where the page before a page (its newer neighbour) starts, from
/// [`PageQuery::previous`]: a link back is an ordinary forward page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Previous {
    /// The previous page is the stream's first (newest) page: no cursor.
    Newest,
    /// The previous page is the one after this cursor.
    After(Cursor),
}

impl Previous {
    /// The cursor to read the previous page with: `None` for the newest page.
    pub fn cursor(&self) -> Option<&Cursor> {
        match self {
            Previous::Newest => None,
            Previous::After(cursor) => Some(cursor),
        }
    }
}

impl<A: ActionEntity> PageQuery<A> {
    /// Where the previous (newer) page of the same size starts, for a `prev` link: `None` on
    /// the first page (no cursor) or when nothing in the stream is newer than this page.
    ///
    /// A page after cursor `c` starts just after the action `c` points at; the page before
    /// it ends with that action. One statement walking the stream's index upward from `c`
    /// over at most `size + 1` entries: the `size + 1`-th action from `c` up is the previous
    /// page's cursor; with fewer, the previous page is the newest one. Reading the
    /// previous page is then the ordinary forward read, one statement as always.
    ///
    /// ```
    /// # use stream_core::prelude::*;
    /// # use stream_core::sea_orm::{self, entity::prelude::*};
    /// # pub mod user {
    /// #     use stream_core::sea_orm::{self, entity::prelude::*};
    /// #     #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
    /// #     #[sea_orm(table_name = "user")]
    /// #     #[stream(actor, target, display = "username")]
    /// #     pub struct Model { #[sea_orm(primary_key)] pub id: i32, pub username: String }
    /// #     #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    /// #     pub enum Relation {}
    /// #     impl ActiveModelBehavior for ActiveModel {}
    /// # }
    /// # #[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, stream_core::Verb)]
    /// # #[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
    /// # pub enum Verb { #[sea_orm(string_value = "followed")] Followed, }
    /// # stream_core::action_entity! {
    /// #     pub mod action { table_name = "stream_action", verb = Verb, models = [user] }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let db = sea_orm::Database::connect("sqlite::memory:").await?;
    /// # db.get_schema_builder().register(user::Entity).register(action::Entity).apply(&db).await?;
    /// # let named = |name: &str| user::ActiveModel { username: sea_orm::Set(name.into()), ..Default::default() };
    /// # let (lennon, hendrix) = (named("lennon").insert(&db).await?, named("hendrix").insert(&db).await?);
    /// # for _ in 0..5 { action::Entity::send(&db, &hendrix, Verb::Followed).target(&lennon).await?; }
    /// use stream_core::Previous;
    ///
    /// let first = action::Entity::stream().page(None, 2).all(&db).await?;
    /// let after = first.next.unwrap();
    /// let second = action::Entity::stream().page(Some(&after), 2);
    /// // The page before the second is the first: no cursor.
    /// assert_eq!(second.previous(&db).await?, Some(Previous::Newest));
    /// assert_eq!(action::Entity::stream().page(None, 2).previous(&db).await?, None);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn previous<C: ConnectionTrait>(&self, db: &C) -> crate::Result<Option<Previous>> {
        let size = self.checked_size()?;
        let Some(cursor) = &self.cursor else {
            return Ok(None);
        };
        let table = A::default();
        let (timestamp, id) = (Expr::col((table, A::TIMESTAMP)), Expr::col((table, A::ID)));
        // The actions from the cursor's up, oldest first.
        let newer = sea_orm::Condition::any()
            .add(timestamp.clone().gt(cursor.timestamp()))
            .add(
                sea_orm::Condition::all()
                    .add(timestamp.clone().eq(cursor.timestamp()))
                    .add(id.clone().gte(cursor.id)),
            );
        let mut select = self.select.clone();
        QueryTrait::query(&mut select).clear_order_by();
        let select = select
            .filter(newer)
            .select_only()
            .column_as(timestamp.clone(), "timestamp")
            .column_as(id.clone(), "id")
            .order_by_asc(timestamp)
            .order_by_asc(id)
            .limit(size + 1);
        let mut statement = select.build(db.get_database_backend());
        crate::shared::bind_timestamps_for_backend(&mut statement);
        let rows = db.query_all_raw(statement).await?;
        let Some(last) = rows.last() else {
            return Ok(None);
        };
        if (rows.len() as u64) <= size {
            return Ok(Some(Previous::Newest));
        }
        let timestamp: DateTime<Utc> = last.try_get("", "timestamp")?;
        let id: i64 = last.try_get("", "id")?;
        Ok(Some(Previous::After(Cursor::at(timestamp, id))))
    }
}

/// Whether the page `sql` reads one index range already in newest-first order — every
/// action, or the actions of one object (`column = ?`, `column IN (?)`) — so that its first
/// rows are the page and joining them row by row stops at the `LIMIT`. Streams over several
/// objects or roles (`OR`, several values, a subquery) are merged and sorted first.
fn one_index_range(sql: &str) -> bool {
    let Some(at) = sql.find(" WHERE ") else {
        return true;
    };
    let condition = &sql[at..];
    let condition = condition
        .find(" ORDER BY ")
        .map_or(condition, |end| &condition[..end]);
    condition.matches('?').count() <= 1
        && !condition.contains(" OR ")
        && !condition.contains("SELECT ")
}

/// The parts a hydrated page's SQL is made of around the page's own statement.
struct RoleJoins {
    /// The derived-table form: `SELECT <columns> FROM (` ..
    select: String,
    /// .. `) AS <table> LEFT JOIN .. ORDER BY ..`.
    rest: String,
    /// The flat form: `SELECT <action columns> FROM <table>`, as every page starts ..
    plain: String,
    /// .. and what replaces it: `SELECT <columns> FROM <table> LEFT JOIN ..`.
    flat: String,
    /// The newest-first `ORDER BY ..` every stream ends with.
    order: String,
    /// The quoted table name ..
    table: String,
    /// .. and id column.
    id: String,
}

/// The [`RoleJoins`] of `A` on `backend`, built once: they bind no values and never change,
/// and building a select of a few dozen aliased columns costs as much as reading the page.
fn role_joins<A: ActionEntity>(backend: DbBackend) -> Arc<RoleJoins> {
    type Cache = RwLock<Vec<(TypeId, DbBackend, Arc<RoleJoins>)>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = TypeId::of::<A>();
    let found = |entries: &[(TypeId, DbBackend, Arc<RoleJoins>)]| {
        entries
            .iter()
            .find(|(entity, on, _)| *entity == key && *on == backend)
            .map(|(_, _, joins)| Arc::clone(joins))
    };
    if let Some(joins) = found(&cache.read().unwrap_or_else(PoisonError::into_inner)) {
        return joins;
    }
    let joins = Arc::new(build_role_joins::<A>(backend));
    let mut entries = cache.write().unwrap_or_else(PoisonError::into_inner);
    if let Some(existing) = found(&entries) {
        return existing;
    }
    entries.push((key, backend, Arc::clone(&joins)));
    joins
}

fn build_role_joins<A: ActionEntity>(backend: DbBackend) -> RoleJoins {
    let flat = A::__join_roles_for_page(A::find()).build(backend).sql;
    let plain = A::find().build(backend).sql;
    let joins = crate::lookup::newest_first(A::__join_roles_for_page(A::find())).build(backend);
    debug_assert!(
        joins
            .values
            .as_ref()
            .is_none_or(|values| values.0.is_empty()),
        "the role joins bind no values"
    );
    let table = quoted(backend, A::default().table_name());
    // `SELECT <columns> FROM <table> LEFT JOIN ..`: every action has an actor, so there is
    // always a join, and no selected column alias contains a space.
    let from = joins
        .sql
        .find(" FROM ")
        .expect("a select has a FROM clause");
    let join = joins.sql[from..]
        .find(" LEFT JOIN ")
        .map_or(joins.sql.len(), |at| from + at);
    let newest = crate::lookup::newest_first(A::find()).build(backend).sql;
    let order = newest
        .strip_prefix(plain.as_str())
        .expect("ordering a select adds to its end")
        .trim_start()
        .to_owned();
    RoleJoins {
        select: format!("{} FROM (", &joins.sql[..from]),
        rest: format!(") AS {table}{}", &joins.sql[join..]),
        plain,
        flat,
        order,
        id: quoted(backend, sea_orm::IdenStatic::as_str(&A::ID)),
        table,
    }
}

/// `name` as an identifier on `backend`.
fn quoted(backend: DbBackend, name: &str) -> String {
    match backend {
        DbBackend::MySql => format!("`{}`", name.replace('`', "``")),
        _ => format!("\"{}\"", name.replace('"', "\"\"")),
    }
}

/// Keep `size` rows; the cursor points after the last one kept if more rows exist.
pub(crate) fn split<T>(mut rows: Vec<T>, size: u64, cursor: impl Fn(&T) -> Cursor) -> Page<T> {
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    let next = if rows.len() > size {
        rows.truncate(size);
        rows.last().map(cursor)
    } else {
        None
    };
    Page { items: rows, next }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor() -> Cursor {
        Cursor {
            timestamp_micros: 1_700_000_000_123_456,
            id: 42,
        }
    }

    #[test]
    fn a_cursor_survives_a_round_trip_through_text() {
        let text = cursor().to_string();
        assert_eq!(text.len(), 48);
        assert!(text.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(text.parse::<Cursor>().unwrap(), cursor());
    }

    #[test]
    fn an_edited_cursor_is_rejected() {
        let text = cursor().to_string();
        // Change the id from 42 to 43 without fixing the checksum.
        let edited = format!("{}2b{}", &text[..30], &text[32..]);
        assert!(matches!(
            edited.parse::<Cursor>(),
            Err(StreamError::InvalidCursor("checksum mismatch"))
        ));
    }

    #[test]
    fn malformed_cursors_are_rejected() {
        for bad in [
            "",
            "abc",
            &"z".repeat(48),
            &"0".repeat(47),
            "é".repeat(24).as_str(),
        ] {
            assert!(
                matches!(bad.parse::<Cursor>(), Err(StreamError::InvalidCursor(_))),
                "{bad:?}"
            );
        }
    }
}
