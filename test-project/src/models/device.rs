//! A device with a 64-bit primary key: it acts (syncs, reports) and is acted on.

use stream_core::Streamable;
use stream_core::sea_orm::{self, entity::prelude::*};

/// A device, numbered by its 64-bit serial number.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Streamable)]
#[sea_orm(table_name = "device")]
#[stream(actor, target, display = "name")]
pub struct Model {
    /// The serial number: a primary key beyond 32 bits.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// Display name.
    pub name: String,
}

/// Devices have no relations of their own; audit actions point at them.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
