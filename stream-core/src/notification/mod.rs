//! Notifications: a per-recipient inbox of actions, with *seen* and *read* kept apart.
//!
//! An inbox table is declared once with [`notification_entity!`](crate::notification_entity),
//! like the follow table: one row per recipient and action, with real foreign keys to both
//! (`ON DELETE CASCADE`: deleting or pruning an action empties it from every inbox), a copy
//! of the action's timestamp, and `seen_at` / `read_at`. The API lives on
//! [`NotificationEntity`].
//!
//! - **Delivery** happens in the action's transaction: explicitly with
//!   [`.notify::<N>(..)`](crate::SendAction::notify) on a send, or by rules the application
//!   declares once ([`NotificationRules`], named by `notify = ..` in `action_entity!`).
//!   A rolled-back action notifies nobody, and the actor is never notified of its own action
//!   unless the rules say [`include_actor`](Recipients::include_actor).
//! - **Seen and unseen**: opening the inbox marks what it showed as *seen*
//!   ([`mark_seen`](NotificationEntity::mark_seen) up to the first item's cursor, so what
//!   arrived meanwhile stays unseen); following an item marks it *read*
//!   ([`mark_read`](NotificationEntity::mark_read)), which implies seen.
//! - **Reads are index walks**: [`counts`](NotificationEntity::counts) is one statement over
//!   the `(recipient, seen_at)` and `(recipient, read_at)` indexes, an
//!   [`inbox`](NotificationEntity::inbox) page one statement over `(recipient, timestamp,
//!   action)`, newest first, paged by the ordinary [`Cursor`] of its actions.
//! - **Retention**: [`prune`](NotificationEntity::prune) keeps the newest `n` per recipient
//!   and/or drops notifications older than an age, in bounded batches.
//!
//! ```
//! use stream_core::prelude::*;
//! use stream_core::{Mark, NotificationEntity, NotificationRules, Recipients};
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
//! # pub enum Verb { #[sea_orm(string_value = "followed")] Followed, #[sea_orm(string_value = "waved")] Waved }
//! stream_core::action_entity! {
//!     pub mod action {
//!         table_name = "stream_action",
//!         verb = Verb,
//!         models = [user],
//!         notify = notification, // every action is delivered by the rules below
//!     }
//! }
//!
//! stream_core::notification_entity! {
//!     /// The inboxes.
//!     pub mod notification {
//!         table_name = "stream_notification",
//!         recipient = user,
//!         actions = action,
//!     }
//! }
//!
//! // Someone follows you: you are told.
//! impl NotificationRules<action::Entity> for notification::Entity {
//!     fn recipients(action: &action::Model, to: &mut Recipients<Self>) {
//!         if action.verb == Verb::Followed {
//!             to.keys(action.target_user);
//!         }
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let db = sea_orm::Database::connect("sqlite::memory:").await?;
//! # db.get_schema_builder().register(user::Entity).register(action::Entity).apply(&db).await?;
//! # stream_core::schema::create_notification_table::<notification::Entity, _>(&db).await?;
//! # let named = |name: &str| user::ActiveModel { username: sea_orm::Set(name.into()), ..Default::default() };
//! # let (lennon, hendrix, starr) = (named("lennon").insert(&db).await?, named("hendrix").insert(&db).await?, named("starr").insert(&db).await?);
//! action::Entity::send(&db, &hendrix, Verb::Followed).target(&lennon).await?; // rules: lennon
//! action::Entity::send(&db, &starr, Verb::Waved)
//!     .notify::<notification::Entity>([&lennon, &hendrix]) // explicit
//!     .await?;
//!
//! let counts = notification::Entity::counts(&db, &lennon).await?;
//! assert_eq!((counts.unseen, counts.unread), (2, 2));
//! let page = notification::Entity::inbox(&lennon).page(None, 20).hydrated(&db).await?;
//! assert_eq!(page.items.len(), 2);
//! // The inbox was shown: mark what it showed as seen.
//! let first = stream_core::Cursor::after::<action::Entity>(page.items[0].action.as_ref());
//! let counts = notification::Entity::mark_seen(&db, &lennon, Mark::UpTo(&first)).await?;
//! assert_eq!((counts.unseen, counts.unread), (0, 2));
//! # Ok(())
//! # }
//! ```

mod deliver;
mod inbox;
mod prune;

pub(crate) use deliver::Explicit;
pub use deliver::{Delivery, rules};
pub use deliver::{KEYS_PER_STATEMENT, NotificationRules, Recipients};

/// Write `deliveries` (for `send_many`: every action's rules, a few statements).
pub(crate) async fn deliver(
    db: &impl ConnectionTrait,
    deliveries: Vec<Delivery>,
) -> crate::Result<()> {
    deliver::run(db, deliveries).await
}
pub use inbox::{Inbox, Notification};
pub use prune::PruneNotifications;

use crate::{ActionEntity, Cursor, Streamable};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query, SelectStatement, SubQueryStatement};
use sea_orm::{ConnectionTrait, EntityTrait, QueryFilter, Value};

/// A notification table declared by [`notification_entity!`](crate::notification_entity).
///
/// Its provided methods are the inbox API. Each takes any `ConnectionTrait` (a connection, a
/// sea-orm transaction, a [`Transaction`](crate::Transaction)).
pub trait NotificationEntity:
    EntityTrait<Model: Sync, ActiveModel: Send> + Default + 'static
{
    /// Whose inboxes these are (typically the user).
    type Recipient: Streamable + Sync;
    /// The action table the notifications tell of.
    type Actions: ActionEntity;

    /// The primary key column.
    const ID: Self::Column;
    /// The recipient column.
    const RECIPIENT: Self::Column;
    /// The action column.
    const ACTION: Self::Column;
    /// The action's timestamp, copied.
    const TIMESTAMP: Self::Column;
    /// When the notification was first seen.
    const SEEN_AT: Self::Column;
    /// When it was read.
    const READ_AT: Self::Column;

    /// How many notifications of `recipient` are unseen and unread: one statement of two
    /// counts, each over an index range (`(recipient, seen_at)`, `(recipient, read_at)`).
    fn counts<C: ConnectionTrait>(
        db: &C,
        recipient: &Self::Recipient,
    ) -> impl Future<Output = crate::Result<Counts>> + Send {
        let key: Value = recipient.stream_pk().into();
        async move { counts::<Self, C>(db, key).await }
    }

    /// The inbox of `recipient`, newest first: `.page(cursor, size)`, optionally
    /// `.unseen_only()` or `.unread_only()`, then `.all(&db)` or `.hydrated(&db)`.
    fn inbox(recipient: &Self::Recipient) -> Inbox<Self> {
        Inbox::new(recipient.stream_pk().into())
    }

    /// Mark notifications of `recipient` as seen (see [`Mark`]): one `UPDATE` that sets
    /// `seen_at` where it is still empty (a notification keeps the time it was first seen),
    /// then the new [`Counts`]. Another recipient's notifications are never touched.
    fn mark_seen<C: ConnectionTrait>(
        db: &C,
        recipient: &Self::Recipient,
        which: Mark<'_>,
    ) -> impl Future<Output = crate::Result<Counts>> + Send {
        let key: Value = recipient.stream_pk().into();
        let which = which.owned();
        async move {
            mark::<Self, C>(db, key.clone(), which, Self::SEEN_AT).await?;
            counts::<Self, C>(db, key).await
        }
    }

    /// Mark notifications of `recipient` as read, and so as seen (see [`Mark`]): one
    /// `UPDATE` that sets `read_at` where it is still empty, and `seen_at` where that is, then
    /// the new [`Counts`].
    fn mark_read<C: ConnectionTrait>(
        db: &C,
        recipient: &Self::Recipient,
        which: Mark<'_>,
    ) -> impl Future<Output = crate::Result<Counts>> + Send {
        let key: Value = recipient.stream_pk().into();
        let which = which.owned();
        async move {
            mark::<Self, C>(db, key.clone(), which, Self::READ_AT).await?;
            counts::<Self, C>(db, key).await
        }
    }

    /// Delete old notifications in bounded batches: see [`PruneNotifications`].
    fn prune() -> PruneNotifications<Self> {
        PruneNotifications::new()
    }
}

/// The unseen and unread notifications of one recipient.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Counts {
    /// Not yet shown in the inbox.
    pub unseen: u64,
    /// Not yet opened.
    pub unread: u64,
}

/// Which notifications of a recipient [`mark_seen`](NotificationEntity::mark_seen) and
/// [`mark_read`](NotificationEntity::mark_read) mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark<'a> {
    /// Every one.
    All,
    /// Those at or older than the cursor: `Cursor::after(&first_item_shown)` marks what a
    /// page showed and everything older, and leaves what arrived since unmarked.
    UpTo(&'a Cursor),
    /// Those of these actions (by action id).
    Actions(&'a [i64]),
}

#[derive(Clone, Debug)]
enum OwnedMark {
    All,
    UpTo(Cursor),
    Actions(Vec<i64>),
}

impl Mark<'_> {
    fn owned(self) -> OwnedMark {
        match self {
            Mark::All => OwnedMark::All,
            Mark::UpTo(cursor) => OwnedMark::UpTo(*cursor),
            Mark::Actions(ids) => OwnedMark::Actions(ids.to_vec()),
        }
    }
}

/// `SELECT COUNT(*) FROM <n> WHERE recipient = ? AND <column> IS NULL`.
fn count_null<N: NotificationEntity>(key: &Value, column: N::Column) -> SelectStatement {
    Query::select()
        .expr(Func::count(Expr::col(sea_orm::sea_query::Asterisk)))
        .from(N::default().table_ref())
        .and_where(Expr::col(N::RECIPIENT).eq(key.clone()))
        .and_where(Expr::col(column).is_null())
        .to_owned()
}

pub(crate) async fn counts<N: NotificationEntity, C: ConnectionTrait>(
    db: &C,
    key: Value,
) -> crate::Result<Counts> {
    let scalar =
        |select: SelectStatement| Expr::SubQuery(None, Box::new(SubQueryStatement::from(select)));
    let query = Query::select()
        .expr_as(scalar(count_null::<N>(&key, N::SEEN_AT)), "unseen")
        .expr_as(scalar(count_null::<N>(&key, N::READ_AT)), "unread")
        .to_owned();
    let row = db
        .query_one(&query)
        .await?
        .ok_or_else(|| sea_orm::DbErr::RecordNotFound("the counts".into()))?;
    let count = |name: &str| -> crate::Result<u64> {
        let n: i64 = row.try_get("", name)?;
        Ok(u64::try_from(n).unwrap_or_default())
    };
    Ok(Counts {
        unseen: count("unseen")?,
        unread: count("unread")?,
    })
}

/// The condition "older than `cursor`" (or at it, if `inclusive`) on the inbox's
/// `(timestamp, action)`, in the form every backend reads as an index range:
/// `timestamp <= t AND (timestamp < t OR action < id)`. `qualified`: the columns with their
/// table's name.
fn keyset<N: NotificationEntity>(
    cursor: &Cursor,
    backend: sea_orm::DbBackend,
    qualified: bool,
    inclusive: bool,
) -> sea_orm::Condition {
    let col = |column: N::Column| {
        if qualified {
            Expr::col((N::default(), column))
        } else {
            Expr::col(column)
        }
    };
    let at = crate::shared::timestamp_value(backend, cursor.timestamp());
    sea_orm::Condition::all()
        .add(col(N::TIMESTAMP).lte(at.clone()))
        .add(
            sea_orm::Condition::any()
                .add(col(N::TIMESTAMP).lt(at))
                .add(if inclusive {
                    col(N::ACTION).lte(cursor.id())
                } else {
                    col(N::ACTION).lt(cursor.id())
                }),
        )
}

async fn mark<N: NotificationEntity, C: ConnectionTrait>(
    db: &C,
    key: Value,
    which: OwnedMark,
    column: N::Column,
) -> crate::Result<u64> {
    use sea_orm::ColumnTrait;
    let backend = db.get_database_backend();
    let now: DateTime<Utc> = crate::shared::now();
    let now = crate::shared::timestamp_value(backend, now);
    let mut update = N::update_many()
        .col_expr(column, Expr::value(now.clone()))
        .filter(N::RECIPIENT.eq(key))
        .filter(column.is_null());
    if crate::shared::same_column(column, N::READ_AT) {
        // Read implies seen; a time already seen stays.
        update = update.col_expr(
            N::SEEN_AT,
            Func::coalesce([Expr::col(N::SEEN_AT), Expr::value(now)]).into(),
        );
    }
    update = match which {
        OwnedMark::All => update,
        OwnedMark::UpTo(cursor) => update.filter(keyset::<N>(&cursor, backend, false, true)),
        OwnedMark::Actions(ids) if ids.is_empty() => return Ok(0),
        OwnedMark::Actions(ids) => update.filter(N::ACTION.is_in(ids)),
    };
    Ok(update.exec(db).await?.rows_affected)
}
