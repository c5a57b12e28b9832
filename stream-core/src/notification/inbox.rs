//! Reading an inbox: one statement per page, newest first, over the
//! `(recipient, timestamp, action)` index.

use super::{NotificationEntity, keyset};
use crate::page::split;
use crate::{ActionEntity, Cursor, MAX_PAGE_SIZE, Page, StreamError};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QueryResult,
    QuerySelect, QueryTrait, Select, Value,
};

/// One notification: the action, and when its recipient saw and read it.
#[derive(Clone, Debug, PartialEq)]
pub struct Notification<T> {
    /// The action (`action::Model`), or the action with its objects loaded (`action::Loaded`).
    pub action: T,
    /// When it was first shown in the inbox; `None` while unseen.
    pub seen_at: Option<DateTime<Utc>>,
    /// When it was opened; `None` while unread.
    pub read_at: Option<DateTime<Utc>>,
}

impl<T> Notification<T> {
    /// Whether it was shown in the inbox.
    pub fn is_seen(&self) -> bool {
        self.seen_at.is_some()
    }

    /// Whether it was opened.
    pub fn is_read(&self) -> bool {
        self.read_at.is_some()
    }
}

/// Which notifications an inbox reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Only {
    All,
    Unseen,
    Unread,
}

/// The inbox of one recipient; see [`NotificationEntity::inbox`].
#[must_use = "nothing is read until `.all(&db)` or `.hydrated(&db)` is awaited"]
#[derive(Debug)]
pub struct Inbox<N: NotificationEntity> {
    recipient: Value,
    only: Only,
    cursor: Option<Cursor>,
    size: u64,
    entity: std::marker::PhantomData<fn() -> N>,
}

const SEEN_AT: &str = "__stream_seen_at";
const READ_AT: &str = "__stream_read_at";

impl<N: NotificationEntity> Inbox<N> {
    pub(super) fn new(recipient: Value) -> Self {
        Inbox {
            recipient,
            only: Only::All,
            cursor: None,
            size: 20,
            entity: std::marker::PhantomData,
        }
    }

    /// Whose inbox this is: the recipient's key.
    pub(crate) fn recipient_key(&self) -> &Value {
        &self.recipient
    }

    /// Only the notifications not yet seen.
    pub fn unseen_only(mut self) -> Self {
        self.only = Only::Unseen;
        self
    }

    /// Only the notifications not yet read.
    pub fn unread_only(mut self) -> Self {
        self.only = Only::Unread;
        self
    }

    /// The page of `size` notifications after `cursor` (`None`: the newest; default: the
    /// newest 20). The cursor is the [`Cursor`] of the last action of the previous page, as
    /// on every stream. Reading fails with [`StreamError::InvalidPageSize`] unless `size` is
    /// 1 to [`MAX_PAGE_SIZE`].
    pub fn page(mut self, cursor: Option<&Cursor>, size: u64) -> Self {
        self.cursor = cursor.copied();
        self.size = size;
        self
    }

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

    /// The page's select on `backend`: the actions joined to their notifications, filtered,
    /// newest first, `LIMIT size + 1`; `hydrate` joins the actions' objects too.
    pub fn select(&self, backend: sea_orm::DbBackend, hydrate: bool) -> Select<N::Actions> {
        let (n, a) = (N::default(), <N::Actions as Default>::default());
        let mut select = <N::Actions as EntityTrait>::find();
        QueryTrait::query(&mut select).inner_join(
            n,
            Expr::col((n, N::ACTION)).equals((a, <N::Actions as ActionEntity>::ID)),
        );
        if hydrate {
            select = <N::Actions as ActionEntity>::__join_roles_for_page(select);
        }
        select = select
            .column_as(Expr::col((n, N::SEEN_AT)), SEEN_AT)
            .column_as(Expr::col((n, N::READ_AT)), READ_AT)
            .filter(Expr::col((n, N::RECIPIENT)).eq(self.recipient.clone()));
        select = match self.only {
            Only::All => select,
            Only::Unseen => select.filter(Expr::col((n, N::SEEN_AT)).is_null()),
            Only::Unread => select.filter(Expr::col((n, N::READ_AT)).is_null()),
        };
        if let Some(cursor) = &self.cursor {
            let older = keyset::<N>(cursor, backend, true, false);
            select = select.filter(older);
        }
        select
            .order_by_desc(Expr::col((n, N::TIMESTAMP)))
            .order_by_desc(Expr::col((n, N::ACTION)))
            .limit(self.size.saturating_add(1))
    }

    async fn rows<C: ConnectionTrait>(
        &self,
        db: &C,
        hydrate: bool,
    ) -> crate::Result<Vec<QueryResult>> {
        let backend = db.get_database_backend();
        let mut statement = self.select(backend, hydrate).build(backend);
        crate::shared::bind_timestamps_for_backend(&mut statement);
        Ok(db.query_all_raw(statement).await?)
    }

    /// Read the page: the actions as stored, one statement.
    pub async fn all<C: ConnectionTrait>(
        self,
        db: &C,
    ) -> crate::Result<Page<Notification<<N::Actions as EntityTrait>::Model>>> {
        let size = self.checked_size()?;
        let rows = self.rows(db, false).await?;
        let items = rows
            .iter()
            .map(|row| {
                let action = <<N::Actions as EntityTrait>::Model>::from_query_result(row, "")?;
                notification(row, action)
            })
            .collect::<crate::Result<Vec<_>>>()?;
        Ok(split(items, size, |n| {
            Cursor::after::<N::Actions>(&n.action)
        }))
    }

    /// Read the page with every action's actor, target and action object loaded, one
    /// statement (the joins of [`Hydrate`](crate::Hydrate)).
    pub async fn hydrated<C: ConnectionTrait>(
        self,
        db: &C,
    ) -> crate::Result<Page<Notification<<N::Actions as ActionEntity>::Loaded>>> {
        let size = self.checked_size()?;
        let rows = self.rows(db, true).await?;
        let items = rows
            .iter()
            .map(|row| {
                let action = <N::Actions as ActionEntity>::__decode_page_row(row)?;
                notification(row, action)
            })
            .collect::<crate::Result<Vec<_>>>()?;
        Ok(split(items, size, |n| {
            Cursor::after::<N::Actions>(n.action.as_ref())
        }))
    }
}

fn notification<T>(row: &QueryResult, action: T) -> crate::Result<Notification<T>> {
    Ok(Notification {
        action,
        seen_at: row.try_get("", SEEN_AT)?,
        read_at: row.try_get("", READ_AT)?,
    })
}
