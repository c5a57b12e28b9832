//! The sample application's migrations, for `sea-orm-migration`: the model tables, then the
//! action table from `stream_core::schema::CreateActionTable`, then the inboxes from
//! `stream_core::schema::CreateNotificationTable`.

use crate::{action, audit, comment, device, follow, group, post, tag, user};
use sea_orm_migration::prelude::*;
use stream_core::schema::{CreateActionTable, CreateNotificationTable};

/// Runs every migration of the sample application.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(CreateModels),
            Box::new(CreateActionTable::<action::Entity>::new()),
            Box::new(CreateAuditModels),
            Box::new(CreateActionTable::<audit::Entity>::new()),
            Box::new(CreateNotificationTable::<crate::notification::Entity>::new()),
        ]
    }
}

/// Creates the user, group, post and comment tables from their entities.
struct CreateModels;

impl MigrationName for CreateModels {
    fn name(&self) -> &str {
        "m0001_create_models"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateModels {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let schema = sea_orm::Schema::new(manager.get_database_backend());
        macro_rules! create {
            ($($entity:expr),*) => {$(
                manager.create_table(schema.create_table_from_entity($entity)).await?;
                for index in schema.create_index_from_entity($entity) {
                    db.execute(&index).await?;
                }
            )*};
        }
        create!(
            user::Entity,
            group::Entity,
            post::Entity,
            comment::Entity,
            follow::Entity
        );
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["stream_follow", "comment", "post", "group", "user"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// Creates the device and tag tables of the audit log.
struct CreateAuditModels;

impl MigrationName for CreateAuditModels {
    fn name(&self) -> &str {
        "m0002_create_audit_models"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateAuditModels {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let schema = sea_orm::Schema::new(manager.get_database_backend());
        manager
            .create_table(schema.create_table_from_entity(device::Entity))
            .await?;
        manager
            .create_table(schema.create_table_from_entity(tag::Entity))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["tag", "device"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
