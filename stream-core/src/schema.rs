//! Creating the action table: directly from the entities, or as a sea-orm-migration migration.
//!
//! The action entity carries its whole schema — columns, foreign keys with `ON DELETE`, an
//! index per foreign-key column, a unique index on `(timestamp, id)` for newest-first
//! streams and one on `get_or_create_key` — so sea-orm's own schema builder creates it:
//!
//! ```ignore
//! db.get_schema_builder()
//!     .register(user::Entity)
//!     .register(post::Entity)
//!     .register(action::Entity)
//!     .apply(&db)
//!     .await?;
//! ```

use crate::ActionEntity;
use sea_orm::{ConnectionTrait, DbErr, Schema};

/// Create the table of `A` and its indexes. The tables it references must exist.
///
/// Equivalent to registering `A` with sea-orm's `SchemaBuilder` and applying it; handy when
/// the models' tables are created some other way.
pub async fn create_action_table<A: ActionEntity, C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let schema = Schema::new(backend);
    db.execute(&schema.create_table_from_entity(A::default()))
        .await?;
    for index in schema.create_index_from_entity(A::default()) {
        db.execute(&index).await?;
    }
    Ok(())
}

/// Drop the table of `A` if it exists.
pub async fn drop_action_table<A: ActionEntity, C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let table = sea_orm::sea_query::Table::drop()
        .table(A::default().table_ref())
        .if_exists()
        .to_owned();
    db.execute(&table).await?;
    Ok(())
}

/// A sea-orm-migration migration that creates (and on `down`, drops) the action table of `A`.
///
/// ```ignore
/// impl MigratorTrait for Migrator {
///     fn migrations() -> Vec<Box<dyn MigrationTrait>> {
///         vec![
///             Box::new(m0001_create_models::Migration),
///             Box::new(stream_core::schema::CreateActionTable::<action::Entity>::new()),
///         ]
///     }
/// }
/// ```
#[cfg(feature = "migration")]
pub struct CreateActionTable<A: ActionEntity> {
    name: String,
    entity: std::marker::PhantomData<fn() -> A>,
}

#[cfg(feature = "migration")]
impl<A: ActionEntity> CreateActionTable<A> {
    /// The migration, named `m_stream_create_<table>` in the migrations table.
    pub fn new() -> Self {
        CreateActionTable {
            name: format!("m_stream_create_{}", A::default().table_name()),
            entity: std::marker::PhantomData,
        }
    }
}

#[cfg(feature = "migration")]
impl<A: ActionEntity> Default for CreateActionTable<A> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(feature = "migration")]
impl<A: ActionEntity> sea_orm_migration::MigrationName for CreateActionTable<A> {
    fn name(&self) -> &str {
        &self.name
    }
}

#[cfg(feature = "migration")]
#[sea_orm_migration::async_trait::async_trait]
impl<A: ActionEntity> sea_orm_migration::MigrationTrait for CreateActionTable<A> {
    async fn up(&self, manager: &sea_orm_migration::SchemaManager) -> Result<(), DbErr> {
        create_action_table::<A, _>(manager.get_connection()).await
    }

    async fn down(&self, manager: &sea_orm_migration::SchemaManager) -> Result<(), DbErr> {
        drop_action_table::<A, _>(manager.get_connection()).await
    }
}
