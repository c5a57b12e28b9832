//! Storing actions: `send`, `create` and `get_or_create`.

use crate::{ActionEntity, ActionObject, NewAction, Role, RoleRef, StreamError, Target};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, QueryFilter, QueryOrder,
    TryInsertResult, Value,
};
use sha2::{Digest, Sha256};
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

macro_rules! builder_setters {
    () => {
        /// What it was done to.
        pub fn target(mut self, target: &impl Target<A>) -> Self {
            self.action = self.action.target(target);
            self
        }

        /// What it was done with.
        pub fn action_object(mut self, object: &impl ActionObject<A>) -> Self {
            self.action = self.action.action_object(object);
            self
        }

        /// Free text stored with the action.
        pub fn description(mut self, description: impl Into<String>) -> Self {
            self.action = self.action.description(description);
            self
        }

        /// When it happened (default: now). Stored with microsecond precision.
        pub fn timestamp(mut self, timestamp: chrono::DateTime<chrono::Utc>) -> Self {
            self.action = self.action.timestamp(timestamp);
            self
        }
    };
}

/// The builder returned by [`ActionEntity::send`]; `.await` it to store the action.
#[must_use = "an action is only stored when the builder is awaited"]
pub struct SendAction<'a, A: ActionEntity> {
    db: &'a DatabaseConnection,
    action: NewAction<A>,
}

impl<'a, A: ActionEntity> SendAction<'a, A> {
    pub(crate) fn new(db: &'a DatabaseConnection, action: NewAction<A>) -> Self {
        SendAction { db, action }
    }

    builder_setters!();
}

impl<'a, A: ActionEntity> IntoFuture for SendAction<'a, A> {
    type Output = crate::Result<A::Model>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(create(self.db, self.action))
    }
}

/// The builder returned by [`ActionEntity::get_or_create`]; `.await` it for
/// `(action, created)`.
#[must_use = "nothing is looked up or stored until the builder is awaited"]
pub struct GetOrCreate<'a, A: ActionEntity> {
    db: &'a DatabaseConnection,
    action: NewAction<A>,
}

impl<'a, A: ActionEntity> GetOrCreate<'a, A> {
    pub(crate) fn new(db: &'a DatabaseConnection, action: NewAction<A>) -> Self {
        GetOrCreate { db, action }
    }

    builder_setters!();
}

impl<'a, A: ActionEntity> IntoFuture for GetOrCreate<'a, A> {
    type Output = crate::Result<(A::Model, bool)>;
    type IntoFuture = BoxFuture<'a, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(get_or_create(self.db, self.action))
    }
}

/// The current time at the precision every backend stores (microseconds), so that a stored
/// action compares equal to the one that was sent.
pub(crate) fn now() -> chrono::DateTime<chrono::Utc> {
    truncate_to_micros(chrono::Utc::now())
}

pub(crate) fn truncate_to_micros(t: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    use chrono::Timelike;
    let nanos = t.nanosecond();
    t.with_nanosecond(nanos - nanos % 1_000).unwrap_or(t)
}

fn active_model<A: ActionEntity>(
    action: &NewAction<A>,
    key: Option<String>,
) -> Result<A::ActiveModel, DbErr> {
    let mut model = <A::ActiveModel as ActiveModelTrait>::default();
    model.try_set(
        A::VERB,
        sea_orm::ActiveEnum::into_value(action.verb.clone()).into(),
    )?;
    let timestamp = truncate_to_micros(action.timestamp.unwrap_or_else(now));
    model.try_set(A::TIMESTAMP, timestamp.into())?;
    model.try_set(A::DESCRIPTION, Value::from(action.description.clone()))?;
    model.try_set(A::GET_OR_CREATE_KEY, Value::from(key))?;
    for role in roles(action).into_iter().flatten() {
        model.try_set(role.column(), role.value().clone())?;
    }
    Ok(model)
}

fn roles<A: ActionEntity>(action: &NewAction<A>) -> [Option<&RoleRef<A>>; 3] {
    [
        Some(&action.actor),
        action.target.as_ref(),
        action.action_object.as_ref(),
    ]
}

pub(crate) async fn create<A: ActionEntity>(
    db: &DatabaseConnection,
    action: NewAction<A>,
) -> crate::Result<A::Model> {
    let model = active_model(&action, None)?;
    // A single INSERT runs in its own implicit transaction: once it returns, the row is
    // committed and the signal may fire.
    let stored = A::insert(model).exec_with_returning(db).await?;
    A::signal().emit(Arc::new(stored.clone()));
    Ok(stored)
}

/// The condition "exactly these roles, and no others": the chosen column of each role equals
/// the key, every other generated column is NULL.
fn exact_match<A: ActionEntity>(action: &NewAction<A>) -> sea_orm::Condition {
    let mut condition = sea_orm::Condition::all()
        .add(A::VERB.eq(sea_orm::ActiveEnum::into_value(action.verb.clone())));
    for (role, chosen) in [
        (Role::Actor, Some(&action.actor)),
        (Role::Target, action.target.as_ref()),
        (Role::ActionObject, action.action_object.as_ref()),
    ] {
        for &column in A::role_columns(role) {
            condition = match chosen {
                Some(chosen) if crate::entity::roles::same_column::<A>(chosen.column(), column) => {
                    condition.add(column.eq(chosen.value().clone()))
                }
                _ => condition.add(column.is_null()),
            };
        }
    }
    condition
}

/// A hash of everything `get_or_create` matches on, stored in a unique column so that two
/// concurrent callers cannot both insert.
fn matching_key<A: ActionEntity>(action: &NewAction<A>) -> String {
    use sea_orm::IdenStatic;
    let mut hasher = Sha256::new();
    hasher.update(A::table_name(&A::default()).as_bytes());
    hasher.update([0]);
    hasher.update(sea_orm::ActiveEnum::to_value(&action.verb).as_bytes());
    for role in roles(action).into_iter().flatten() {
        hasher.update([0]);
        hasher.update(role.column().as_str().as_bytes());
        hasher.update([0]);
        hasher.update(format!("{:?}", role.value()).as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

pub(crate) async fn get_or_create<A: ActionEntity>(
    db: &DatabaseConnection,
    action: NewAction<A>,
) -> crate::Result<(A::Model, bool)> {
    let matching = || A::find().filter(exact_match(&action)).order_by_asc(A::ID);
    if let Some(existing) = matching().one(db).await? {
        return Ok((existing, false));
    }

    let key = matching_key(&action);
    let model = active_model(&action, Some(key.clone()))?;
    let inserted = A::insert(model)
        .on_conflict_do_nothing_on([A::GET_OR_CREATE_KEY])
        .exec_with_returning(db)
        .await;
    match inserted {
        Ok(TryInsertResult::Inserted(stored)) => {
            A::signal().emit(Arc::new(stored.clone()));
            Ok((stored, true))
        }
        Err(error) if !matches!(error, DbErr::RecordNotFound(_)) => Err(error.into()),
        // Conflicted; a backend without `RETURNING` reports it as "inserted row not found".
        _ => {
            // Another caller inserted the same key between our lookup and our insert.
            let winner = A::find()
                .filter(A::GET_OR_CREATE_KEY.eq(key))
                .one(db)
                .await?;
            match winner {
                Some(winner) => Ok((winner, false)),
                None => Err(StreamError::Database(DbErr::RecordNotFound(
                    "the concurrently created action was deleted before it could be read".into(),
                ))),
            }
        }
    }
}
