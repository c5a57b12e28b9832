//! Aggregated inboxes: the groups of a recipient's notifications, with their seen and read
//! state, and the bell's counts of groups.

use super::{Group, GroupKey, read_groups, sql};
use crate::notification::{Counts, Inbox, NotificationEntity};
use crate::page::split;
use crate::{ActionEntity, Cursor, MAX_PAGE_SIZE, Page, StreamError};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{
    ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect, QueryTrait, Select,
    Statement, Value,
};

impl<N: NotificationEntity> Inbox<N> {
    /// The inbox as groups of actions, by each verb's [`Grouping`](crate::Grouping), newest
    /// group first, each with its seen and read state: a group is unseen while any of its
    /// actions is, so a new like on a seen group makes it unseen again. Filters of the inbox
    /// (`unseen_only`, a page) do not carry over: groups are made of every notification.
    ///
    /// ```
    /// # use stream_core::prelude::*;
    /// # use stream_core::{Mark, InboxGroups, NotificationEntity};
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
    /// # pub enum Verb { #[sea_orm(string_value = "followed")] Followed }
    /// # stream_core::action_entity! {
    /// #     pub mod action { table_name = "stream_action", verb = Verb, models = [user] }
    /// # }
    /// # stream_core::notification_entity! {
    /// #     pub mod notification { table_name = "stream_notification", recipient = user, actions = action }
    /// # }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let db = sea_orm::Database::connect("sqlite::memory:").await?;
    /// # db.get_schema_builder().register(user::Entity).register(action::Entity).apply(&db).await?;
    /// # stream_core::schema::create_notification_table::<notification::Entity, _>(&db).await?;
    /// # let named = |name: &str| user::ActiveModel { username: sea_orm::Set(name.into()), ..Default::default() };
    /// # let lennon = named("lennon").insert(&db).await?;
    /// for fan in ["hendrix", "joplin"] {
    ///     let fan = named(fan).insert(&db).await?;
    ///     action::Entity::send(&db, &fan, Verb::Followed)
    ///         .target(&lennon)
    ///         .notify::<notification::Entity>([&lennon])
    ///         .await?;
    /// }
    /// // The bell counts groups: two follows of lennon today are one.
    /// let inbox = || notification::Entity::inbox(&lennon).aggregated();
    /// assert_eq!(inbox().counts(&db).await?.unseen, 1);
    ///
    /// let page = inbox().page(None, 20).all(&db).await?;
    /// let group = &page.items[0];
    /// assert!(!group.seen && !group.read);
    /// assert_eq!((group.actions, group.actors), (2, 2));
    ///
    /// // Shown: mark what the page showed as seen. Followed: mark the group read.
    /// notification::Entity::mark_seen(&db, &lennon, Mark::UpTo(&group.cursor)).await?;
    /// let counts = notification::Entity::mark_group_read(&db, &lennon, group.newest_action().as_ref()).await?;
    /// assert_eq!((counts.unseen, counts.unread), (0, 0));
    /// # Ok(())
    /// # }
    /// ```
    pub fn aggregated(self) -> AggregatedInbox<N> {
        AggregatedInbox {
            recipient: self.recipient_key().clone(),
            actors: super::DEFAULT_ACTORS,
            entity: std::marker::PhantomData,
        }
    }
}

/// The recipient's key as the statement binds it: on SQLite inside `CAST(? AS ..)` of its
/// own type, which hides the value from the planner. A bare parameter compared with an indexed
/// column is one SQLite samples when `ANALYZE` statistics exist (`sqlite_stat4`), so the
/// statement would be parsed and planned again for each recipient; for an aggregated page that
/// costs more than running it (see `page.rs` for the same on stream pages).
fn recipient_expr(recipient: &Value, backend: DbBackend) -> Expr {
    let value = Expr::value(recipient.clone());
    if backend != DbBackend::Sqlite {
        return value;
    }
    let sqlite_type = match recipient {
        Value::TinyInt(_)
        | Value::SmallInt(_)
        | Value::Int(_)
        | Value::BigInt(_)
        | Value::TinyUnsigned(_)
        | Value::SmallUnsigned(_)
        | Value::Unsigned(_)
        | Value::BigUnsigned(_) => "INTEGER",
        Value::String(_) => "TEXT",
        _ => return value,
    };
    Func::cast_as(value, sea_orm::sea_query::Alias::new(sqlite_type)).into()
}

/// The actions of `recipient`'s notifications, with `seen_at` and `read_at`.
fn stream<N: NotificationEntity>(recipient: &Value, backend: DbBackend) -> Select<N::Actions> {
    let (n, a) = (N::default(), <N::Actions as Default>::default());
    let mut select = <N::Actions as EntityTrait>::find();
    QueryTrait::query(&mut select).inner_join(
        n,
        Expr::col((n, N::ACTION)).equals((a, <N::Actions as ActionEntity>::ID)),
    );
    select
        .column_as(Expr::col((n, N::SEEN_AT)), sql::SEEN_AT)
        .column_as(Expr::col((n, N::READ_AT)), sql::READ_AT)
        .filter(Expr::col((n, N::RECIPIENT)).eq(recipient_expr(recipient, backend)))
}

/// A recipient's inbox as groups of actions; see [`Inbox::aggregated`].
#[must_use = "nothing is read until `.page(..).all(&db)` or `.counts(&db)` is awaited"]
#[derive(Debug)]
pub struct AggregatedInbox<N: NotificationEntity> {
    recipient: Value,
    actors: u64,
    entity: std::marker::PhantomData<fn() -> N>,
}

impl<N: NotificationEntity> AggregatedInbox<N> {
    /// Load the newest action of each of the `n` newest distinct actors of every group, as
    /// [`Aggregated::actors`](super::Aggregated::actors) does.
    pub fn actors(mut self, n: u64) -> Self {
        self.actors = n.clamp(1, super::MAX_ACTORS);
        self
    }

    /// The page of `size` groups after `cursor` (`None`: the newest groups). Reading it fails
    /// with [`StreamError::InvalidPageSize`] unless `size` is 1 to [`MAX_PAGE_SIZE`].
    pub fn page(self, cursor: Option<&Cursor>, size: u64) -> AggregatedInboxPage<N> {
        AggregatedInboxPage {
            inbox: self,
            cursor: cursor.copied(),
            size,
        }
    }

    /// The statement of [`counts`](Self::counts) on `backend`.
    pub fn counts_statement(&self, backend: DbBackend) -> Statement {
        sql::counts::<N::Actions>(stream::<N>(&self.recipient, backend), backend)
    }

    /// How many groups are unseen (hold an unseen notification) and unread: what the bell
    /// shows. One statement, which reads only the unseen and the unread notifications.
    pub async fn counts<C: ConnectionTrait>(&self, db: &C) -> crate::Result<Counts> {
        let row = db
            .query_one_raw(self.counts_statement(db.get_database_backend()))
            .await?
            .ok_or_else(|| sea_orm::DbErr::RecordNotFound("the counts".into()))?;
        let count = |name: &str| -> crate::Result<u64> {
            let n: i64 = row.try_get("", name)?;
            Ok(u64::try_from(n).unwrap_or_default())
        };
        Ok(Counts {
            unseen: count(sql::UNSEEN)?,
            unread: count(sql::UNREAD)?,
        })
    }
}

/// One page of an aggregated inbox; `.all(&db)` reads it in one statement.
#[must_use = "nothing is read until `.all(&db)` is awaited"]
#[derive(Debug)]
pub struct AggregatedInboxPage<N: NotificationEntity> {
    inbox: AggregatedInbox<N>,
    cursor: Option<Cursor>,
    size: u64,
}

impl<N: NotificationEntity> AggregatedInboxPage<N> {
    /// The statement [`all`](Self::all) runs on `backend`.
    pub fn statement(&self, backend: DbBackend) -> Statement {
        sql::page::<N::Actions>(
            stream::<N>(&self.inbox.recipient, backend),
            self.cursor.as_ref(),
            self.size.saturating_add(1),
            self.inbox.actors,
            true,
            backend,
        )
    }

    /// Read the page: its groups, newest first, with their counts, newest actors and state.
    pub async fn all<C: ConnectionTrait>(
        self,
        db: &C,
    ) -> crate::Result<Page<InboxGroup<N::Actions>>> {
        if !(1..=MAX_PAGE_SIZE).contains(&self.size) {
            return Err(StreamError::InvalidPageSize {
                size: self.size,
                max: MAX_PAGE_SIZE,
            });
        }
        let rows = db
            .query_all_raw(self.statement(db.get_database_backend()))
            .await?;
        let groups = read_groups::<N::Actions, (bool, bool)>(&rows, |row| {
            let none = |column: &str| -> crate::Result<bool> {
                let n: i64 = row.try_get("", column)?;
                Ok(n == 0)
            };
            Ok((none(sql::UNSEEN)?, none(sql::UNREAD)?))
        })?;
        let groups = groups
            .into_iter()
            .map(|(group, (seen, read))| InboxGroup { group, seen, read })
            .collect();
        Ok(split(
            groups,
            self.size,
            |group: &InboxGroup<N::Actions>| group.group.cursor,
        ))
    }
}

/// A group of an aggregated inbox: the [`Group`] (its fields are reached through it) and its
/// state.
#[derive(Clone, Debug)]
pub struct InboxGroup<A: ActionEntity> {
    /// The group of actions.
    pub group: Group<A>,
    /// Whether every notification of the group was seen. A new action in the group makes it
    /// unseen again.
    pub seen: bool,
    /// Whether every notification of the group was read.
    pub read: bool,
}

impl<A: ActionEntity> std::ops::Deref for InboxGroup<A> {
    type Target = Group<A>;

    fn deref(&self) -> &Group<A> {
        &self.group
    }
}

/// Marking the groups of an aggregated inbox; implemented for every
/// [`NotificationEntity`].
pub trait InboxGroups: NotificationEntity {
    /// Mark read (and seen) the notifications of `recipient` for the group of `newest` (the
    /// newest action of a group shown, e.g. `group.newest_action()`), up to it: an action that
    /// joined the group since stays unread. One `UPDATE`, then the group [`Counts`] of the
    /// inbox (as [`AggregatedInbox::counts`]).
    fn mark_group_read<C: ConnectionTrait>(
        db: &C,
        recipient: &Self::Recipient,
        newest: &<Self::Actions as EntityTrait>::Model,
    ) -> impl Future<Output = crate::Result<Counts>> + Send {
        let key: Value = crate::Streamable::stream_pk(recipient).into();
        let key_of = GroupKey::<Self::Actions>::of(newest);
        let newest = newest.clone();
        async move {
            let backend = db.get_database_backend();
            let actions = {
                let a = <Self::Actions as Default>::default();
                Query::select()
                    .column((a, <Self::Actions as ActionEntity>::ID))
                    .from(a)
                    .cond_where(key_of?.condition_up_to(&newest, backend))
                    .to_owned()
            };
            let now = crate::shared::timestamp_value(backend, crate::shared::now());
            let update = Self::update_many()
                .col_expr(Self::READ_AT, Expr::value(now.clone()))
                .col_expr(
                    Self::SEEN_AT,
                    Func::coalesce([Expr::col(Self::SEEN_AT), Expr::value(now)]).into(),
                )
                .filter(Expr::col(Self::RECIPIENT).eq(key.clone()))
                .filter(Expr::col(Self::READ_AT).is_null())
                .filter(Expr::col(Self::ACTION).in_subquery(actions));
            let mut statement = update.build(backend);
            crate::shared::bind_timestamps_for_backend(&mut statement);
            db.execute_raw(statement).await?;
            AggregatedInbox::<Self> {
                recipient: key,
                actors: super::DEFAULT_ACTORS,
                entity: std::marker::PhantomData,
            }
            .counts(db)
            .await
        }
    }
}

impl<N: NotificationEntity> InboxGroups for N {}
