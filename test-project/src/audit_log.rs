//! A second action table: the audit log. Users, devices (64-bit keys) and tags (string keys)
//! take part, and deleting a target or action object keeps the entry with that role emptied
//! (`set_null`), where the main stream deletes the action.

use stream_core::sea_orm::{self, entity::prelude::*};

/// What happened, as recorded in the audit log.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, stream_core::Verb,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
pub enum AuditVerb {
    /// A device was registered to a user, or a user to a device.
    #[sea_orm(string_value = "registered")]
    Registered,
    /// Something was tagged.
    #[sea_orm(string_value = "tagged")]
    Tagged,
    /// The longest slug a verb may have: 255 characters.
    #[sea_orm(
        string_value = "reviewed-under-the-retention-policy-of-the-compliance-department-with-a-slug-exactly-as-long-as-the-verb-column-allows-which-is-two-hundred-and-fifty-five-characters-on-every-backend-sqlite-postgresql-and-mysql-or-mariadb-alike-so-nothing-is-cut-xxxxxxxxx"
    )]
    #[verb(label = "reviewed under the retention policy")]
    ReviewedUnderRetentionPolicy,
}

stream_core::action_entity! {
    /// The audit log: who did what to which user, device or tag.
    pub mod audit {
        table_name = "audit_action",
        verb = crate::AuditVerb,
        models = [crate::user, crate::models::device, crate::models::tag],
        set_null = [target, action_object],
    }
}
