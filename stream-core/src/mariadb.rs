//! MariaDB's `INSERT .. RETURNING` (10.5 and later), which MySQL does not have: there a send is
//! one statement, and a bulk load stays multi-row when the signal has subscribers (or a bridge
//! runs).

use crate::ActionEntity;
use sea_orm::{DatabaseConnection, DbBackend, IdenStatic, Iterable};

/// Whether `db` reaches a server that takes `INSERT .. RETURNING`: MariaDB 10.5 or later.
/// Asked once per server (host, port and socket of the pool) and remembered.
pub(crate) async fn takes_returning(db: &DatabaseConnection) -> Result<bool, sea_orm::DbErr> {
    if db.get_database_backend() != DbBackend::MySql {
        return Ok(false);
    }
    #[cfg(feature = "mysql")]
    {
        use sea_orm::{ConnectionTrait, Statement};
        use std::collections::HashMap;
        use std::sync::{OnceLock, PoisonError, RwLock};

        static SERVERS: OnceLock<RwLock<HashMap<String, bool>>> = OnceLock::new();
        let servers = SERVERS.get_or_init(Default::default);
        let options = db.get_mysql_connection_pool().connect_options();
        let server = format!(
            "{}:{}:{:?}",
            options.get_host(),
            options.get_port(),
            options.get_socket()
        );
        let known = servers
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&server)
            .copied();
        if let Some(known) = known {
            return Ok(known);
        }
        let version = db
            .query_one_raw(Statement::from_string(DbBackend::MySql, "SELECT VERSION()"))
            .await?
            .map(|row| row.try_get_by_index::<String>(0))
            .transpose()?
            .unwrap_or_default();
        let takes = version_takes_returning(&version);
        servers
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(server, takes);
        Ok(takes)
    }
    #[cfg(not(feature = "mysql"))]
    Ok(false)
}

/// `10.11.19-MariaDB-0+deb12u1` → true; `10.4.32-MariaDB` and MySQL's `8.0.36` → false.
#[cfg(any(feature = "mysql", test))]
fn version_takes_returning(version: &str) -> bool {
    if !version.contains("MariaDB") {
        return false;
    }
    // Some proxies report MariaDB behind the MySQL 5.5 version it once claimed.
    let version = version.strip_prefix("5.5.5-").unwrap_or(version);
    let mut numbers = version
        .split(|c: char| !c.is_ascii_digit())
        .map(|part| part.parse::<u32>().unwrap_or(0));
    let major = numbers.next().unwrap_or(0);
    let minor = numbers.next().unwrap_or(0);
    (major, minor) >= (10, 5)
}

/// ` RETURNING` every column of the action table, in `Model` order, as MariaDB quotes them;
/// appended to an `INSERT` that sea-query wrote for MySQL (which writes no `RETURNING`).
pub(crate) fn returning_clause<A: ActionEntity>() -> String {
    let columns: Vec<String> = <A::Column as Iterable>::iter()
        .map(|column| format!("`{}`", column.as_str().replace('`', "``")))
        .collect();
    format!(" RETURNING {}", columns.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mariadb_from_10_5_takes_returning_and_mysql_never() {
        for (version, takes) in [
            ("10.11.19-MariaDB-0+deb12u1", true),
            ("10.5.0-MariaDB", true),
            ("11.4.2-MariaDB-ubu2404", true),
            ("5.5.5-10.6.12-MariaDB", true),
            ("10.4.32-MariaDB", false),
            ("8.0.36", false),
            ("8.4.0-commercial", false),
            ("", false),
        ] {
            assert_eq!(version_takes_returning(version), takes, "{version}");
        }
    }
}
