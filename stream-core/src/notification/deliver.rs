//! Delivery: who gets a notification of an action, written in the action's transaction.
//!
//! Recipients are collected in a [`Recipients`] (explicit objects and keys, queries of keys,
//! the followers of an object of the action) and become `INSERT .. SELECT` statements over
//! the recipient's table: `INSERT INTO <inbox> (recipient, action, timestamp) SELECT <pk>,
//! <action>, <timestamp> FROM <recipient table> WHERE (<pk> IN (<keys>) OR <pk> IN (<query>)
//! ..) AND <pk> <> <actor> ON CONFLICT DO NOTHING`. So a recipient is written once however
//! many parts name it, a key that names no row is skipped rather than failing the send, and
//! 10,000 recipients are one statement per [`KEYS_PER_STATEMENT`] explicit keys (queries add
//! none).

use super::NotificationEntity;
use crate::{ActionEntity, FollowEntity, FollowsIn, Role, Streamable};
use sea_orm::sea_query::{
    Alias, Expr, ExprTrait, InsertStatement, OnConflict, Query, SelectStatement, UnionType,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, IdenStatic, Iterable, ModelTrait,
    PrimaryKeyToColumn, QueryFilter, QuerySelect, QueryTrait, Value,
};
use std::marker::PhantomData;
use std::sync::Arc;

/// The most explicit keys one delivery statement binds: far under SQLite's 32,766 and
/// MySQL's 65,535 bound values, and a statement a server parses quickly.
pub const KEYS_PER_STATEMENT: usize = 10_000;

/// The column names of the derived table a delivery inserts from.
const RECIPIENT: &str = "__stream_recipient";
const ACTION: &str = "__stream_action";
const TIMESTAMP: &str = "__stream_timestamp";

/// The entity of the recipient model.
type RecipientEntity<N> = <<N as NotificationEntity>::Recipient as ModelTrait>::Entity;

/// The recipients of one action in the notification table `N`, as the application's
/// [`NotificationRules`] (or an explicit [`notify`](crate::SendAction::notify)) name them.
///
/// Every part adds to the same set; a recipient named twice gets one notification. The
/// action's actor is left out when it is of the recipient model, unless
/// [`include_actor`](Self::include_actor) says otherwise.
pub struct Recipients<N: NotificationEntity> {
    keys: Vec<Value>,
    queries: Vec<SelectStatement>,
    include_actor: bool,
    entity: PhantomData<fn() -> N>,
}

impl<N: NotificationEntity> Default for Recipients<N> {
    fn default() -> Self {
        Recipients {
            keys: Vec::new(),
            queries: Vec::new(),
            include_actor: false,
            entity: PhantomData,
        }
    }
}

impl<N: NotificationEntity> std::fmt::Debug for Recipients<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recipients")
            .field("keys", &self.keys)
            .field("queries", &self.queries.len())
            .field("include_actor", &self.include_actor)
            .finish()
    }
}

impl<N: NotificationEntity> Recipients<N> {
    /// No recipients yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Notify `recipient`.
    pub fn add(&mut self, recipient: &N::Recipient) -> &mut Self {
        self.keys.push(recipient.stream_pk().into());
        self
    }

    /// Notify the recipients with these primary keys (keys that name no row are skipped).
    pub fn keys(
        &mut self,
        keys: impl IntoIterator<Item = <N::Recipient as Streamable>::Pk>,
    ) -> &mut Self {
        self.keys.extend(keys.into_iter().map(Into::into));
        self
    }

    /// Notify the recipients whose keys `select` reads: a select of **one** column of
    /// recipient keys, run inside the delivery statement (`pk IN (<select>)`), so however
    /// many it finds costs no extra round trip. NULLs and keys that name no row are skipped.
    /// The author of a liked post: `to.query(post::Entity::find().select_only()
    /// .column(post::Column::Author).filter(post::Column::Id.eq(post_id)))`.
    pub fn query(
        &mut self,
        select: impl QueryTrait<QueryStatement = SelectStatement>,
    ) -> &mut Self {
        self.queries.push(select.into_query());
        self
    }

    /// Notify the followers (in the follow table `F`) of the object in `role` of `action`:
    /// the group a post went to, the user who was followed. Nothing when the role is empty
    /// or its model cannot be followed.
    pub fn followers_of<F>(
        &mut self,
        action: &<N::Actions as EntityTrait>::Model,
        role: Role,
    ) -> &mut Self
    where
        F: FollowsIn<N::Actions> + FollowEntity<Follower = N::Recipient>,
    {
        for (follow_column, action_column) in F::column_pairs(role) {
            let value = action.get(action_column);
            if value == value.as_null() {
                continue;
            }
            let select = F::find()
                .select_only()
                .column(F::FOLLOWER)
                .filter(follow_column.eq(value))
                .into_query();
            self.queries.push(select);
        }
        self
    }

    /// Notify the actor too, when it is among the recipients (by default an actor is never
    /// notified of its own action).
    pub fn include_actor(&mut self) -> &mut Self {
        self.include_actor = true;
        self
    }

    /// Whether no recipient was named.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty() && self.queries.is_empty()
    }

    /// The deliveries of `action`: none when no recipient was named.
    pub(crate) fn deliveries(self, action: &<N::Actions as EntityTrait>::Model) -> Vec<Delivery> {
        if self.is_empty() {
            return Vec::new();
        }
        let recipient = RecipientEntity::<N>::default();
        let key = <RecipientEntity<N> as EntityTrait>::PrimaryKey::iter()
            .next()
            .expect("a Streamable model has a primary key")
            .into_column();
        let key_expr = || Expr::col((recipient, key));
        let exclude = (!self.include_actor)
            .then(|| actor_key::<N>(action))
            .flatten();
        let id = <N::Actions as ActionEntity>::action_id(action);
        let timestamp = <N::Actions as ActionEntity>::action_timestamp(action);
        let part = |keys: &[Value], queries: &[SelectStatement]| {
            let mut any = Condition::any();
            if !keys.is_empty() {
                any = any.add(key_expr().is_in(keys.iter().cloned()));
            }
            for query in queries {
                any = any.add(key_expr().in_subquery(query.clone()));
            }
            let mut condition = Condition::all().add(any);
            if let Some(actor) = &exclude {
                condition = condition.add(key_expr().ne(actor.clone()));
            }
            let select = Query::select()
                .expr_as(key_expr(), Alias::new(RECIPIENT))
                .expr_as(Expr::value(id), Alias::new(ACTION))
                .expr_as(Expr::value(timestamp), Alias::new(TIMESTAMP))
                .from(recipient)
                .cond_where(condition)
                .to_owned();
            Delivery {
                table: N::default().table_name().to_owned(),
                select,
                insert: insert::<N>,
            }
        };
        let mut chunks = self.keys.chunks(KEYS_PER_STATEMENT);
        let mut parts = vec![part(chunks.next().unwrap_or_default(), &self.queries)];
        parts.extend(chunks.map(|keys| part(keys, &[])));
        parts
    }
}

/// The recipients of one action in one notification table: a select of
/// `(recipient, action, timestamp)` rows. Deliveries to the same table are written together,
/// their selects joined with `UNION ALL`. Made by generated code and the builders' `notify`.
#[doc(hidden)]
pub struct Delivery {
    table: String,
    select: SelectStatement,
    insert: fn(SelectStatement) -> InsertStatement,
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Delivery")
            .field("table", &self.table)
            .finish_non_exhaustive()
    }
}

/// `INSERT INTO <N> (recipient, action, timestamp) SELECT .. FROM (<recipients>) ..
/// ON CONFLICT (recipient, action) DO NOTHING`.
fn insert<N: NotificationEntity>(recipients: SelectStatement) -> InsertStatement {
    // Through a derived table of its own column names: MySQL's `ON DUPLICATE KEY UPDATE
    // id = id` would find an `id` in the recipient's table ambiguous. The `WHERE` also keeps
    // SQLite from reading `ON CONFLICT` as a join's `ON`.
    let delivery = Alias::new("__stream_delivery");
    let select = Query::select()
        .columns([RECIPIENT, ACTION, TIMESTAMP].map(|c| (delivery.clone(), Alias::new(c))))
        .from_subquery(recipients, delivery.clone())
        .and_where(Expr::col((delivery.clone(), Alias::new(RECIPIENT))).is_not_null())
        .to_owned();
    let mut insert = Query::insert();
    insert
        .into_table(N::default().table_ref())
        .columns([N::RECIPIENT, N::ACTION, N::TIMESTAMP])
        .select_from(select)
        .expect("three columns, three values")
        .on_conflict(
            OnConflict::columns([N::RECIPIENT, N::ACTION])
                .do_nothing_on([N::ID])
                .to_owned(),
        );
    insert
}

/// The key of `action`'s actor when it is of the recipient model.
fn actor_key<N: NotificationEntity>(action: &<N::Actions as EntityTrait>::Model) -> Option<Value> {
    let column = format!("actor_{}", <N::Recipient as Streamable>::STREAM_NAME);
    let column = <N::Actions as ActionEntity>::role_columns(Role::Actor)
        .iter()
        .find(|c| c.as_str() == column)?;
    let value = action.get(*column);
    (value != value.as_null()).then_some(value)
}

/// Who is notified of each action of `A` in the notification table `Self`, declared once by
/// the application and applied by every `send`, `create`, `send_many` and creating
/// `get_or_create` of an action entity declared with `notify = path::to::notification`.
///
/// `recipients` runs after the action is stored, with the stored row, inside the action's
/// transaction; the recipients it names are written there too, so a rolled-back action
/// notifies nobody. On a connection it is also asked once before, with the action as it will
/// be stored (id 0), to know whether the send needs a transaction at all: an action nobody is
/// told of stays one statement. So it must depend on the action alone, and only name
/// recipients (queries it adds run later, inside the delivery).
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no rules saying who is notified of the actions of `{A}`",
    label = "named in `notify = ..` of the action entity",
    note = "implement `stream_core::NotificationRules<{A}>` for it (`fn recipients(action: &Model, to: &mut Recipients<Self>)`), or leave `notify` out and name recipients with `.notify::<..>(..)` on each send"
)]
pub trait NotificationRules<A: ActionEntity>: NotificationEntity<Actions = A> {
    /// Add the recipients of `action` to `to`.
    fn recipients(action: &A::Model, to: &mut Recipients<Self>);
}

/// The delivery statements of the rules of `N` for `action`: the generated
/// `ActionEntity::__notification_rules` of an action entity with `notify = ..`.
#[doc(hidden)]
pub fn rules<N: NotificationRules<A>, A: ActionEntity>(action: &A::Model) -> Vec<Delivery> {
    let mut to = Recipients::<N>::new();
    N::recipients(action, &mut to);
    to.deliveries(action)
}

/// The deliveries of explicit recipients, made once the action is stored.
type Pending<A> = Arc<dyn Fn(&<A as EntityTrait>::Model) -> Vec<Delivery> + Send + Sync>;

/// Explicit recipients given to a builder with `.notify::<N>(..)`, waiting for the stored
/// action.
#[derive(Clone)]
pub(crate) struct Explicit<A: ActionEntity> {
    pending: Vec<Pending<A>>,
}

impl<A: ActionEntity> Default for Explicit<A> {
    fn default() -> Self {
        Explicit {
            pending: Vec::new(),
        }
    }
}

impl<A: ActionEntity> std::fmt::Debug for Explicit<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} explicit deliveries", self.pending.len())
    }
}

impl<A: ActionEntity> Explicit<A> {
    pub(crate) fn add<'r, N>(&mut self, recipients: impl IntoIterator<Item = &'r N::Recipient>)
    where
        N: NotificationEntity<Actions = A>,
    {
        let keys: Vec<Value> = recipients
            .into_iter()
            .map(|r| r.stream_pk().into())
            .collect();
        self.pending.push(Arc::new(move |action: &A::Model| {
            let mut to = Recipients::<N>::new();
            to.keys.extend(keys.iter().cloned());
            to.deliveries(action)
        }));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Write the notifications of `action`: the explicit recipients, then the rules.
    pub(crate) async fn deliver(
        &self,
        db: &impl ConnectionTrait,
        action: &A::Model,
    ) -> crate::Result<()> {
        let mut deliveries: Vec<Delivery> = self.pending.iter().flat_map(|p| p(action)).collect();
        deliveries.extend(A::__notification_rules(action));
        run(db, deliveries).await
    }
}

/// The most deliveries one statement unites: SQLite takes at most 500 terms in a compound
/// `SELECT` (`SQLITE_MAX_COMPOUND_SELECT`).
const PARTS_PER_STATEMENT: usize = 500;

/// The most values one statement binds: under SQLite's 32,766 and MySQL's 65,535.
const VALUES_PER_STATEMENT: usize = 30_000;

/// Write `deliveries`: those to one table, in a row, as one `INSERT .. SELECT` of their
/// selects joined by `UNION ALL`, as many as fit in [`PARTS_PER_STATEMENT`] and
/// [`VALUES_PER_STATEMENT`]; timestamps bound for the backend.
pub(crate) async fn run(db: &impl ConnectionTrait, deliveries: Vec<Delivery>) -> crate::Result<()> {
    let backend = db.get_database_backend();
    let mut pending: Option<(Delivery, usize, usize)> = None;
    for delivery in deliveries {
        let values = backend
            .build(&delivery.select)
            .values
            .map_or(0, |values| values.0.len());
        if let Some((united, parts, bound)) = &mut pending
            && united.table == delivery.table
            && *parts < PARTS_PER_STATEMENT
            && *bound + values <= VALUES_PER_STATEMENT
        {
            united.select.union(UnionType::All, delivery.select);
            *parts += 1;
            *bound += values;
            continue;
        }
        if let Some((united, ..)) = pending.replace((delivery, 1, values)) {
            execute(db, united).await?;
        }
    }
    if let Some((united, ..)) = pending {
        execute(db, united).await?;
    }
    Ok(())
}

async fn execute(db: &impl ConnectionTrait, delivery: Delivery) -> crate::Result<()> {
    let backend = db.get_database_backend();
    let mut statement = backend.build(&(delivery.insert)(delivery.select));
    crate::shared::bind_timestamps_for_backend(&mut statement);
    db.execute_raw(statement).await?;
    Ok(())
}
