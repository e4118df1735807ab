//! Which backends the configured URLs name, and opening them: the one place that knows the
//! store and queue crates, so that everything above sees only `dyn Store` and `dyn Queue`.

use std::sync::Arc;

use anyhow::{Context, bail};
use quorum_queue::{DbQueue, Queue};
use quorum_queue_redis::{DEFAULT_PREFIX, RedisQueue};
use quorum_store::Store;
use quorum_store_postgres::PgStore;
use quorum_store_sqlite::SqliteStore;

use crate::settings::Settings;

/// The database a URL names, by its scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Database {
    /// `sqlite://PATH`: a file this process owns.
    Sqlite,
    /// `postgres://…` or `postgresql://…`: a server many processes share.
    Postgres,
}

impl Database {
    fn of(url: &str) -> anyhow::Result<Self> {
        match url.split_once(':') {
            Some(("sqlite", _)) => Ok(Database::Sqlite),
            Some(("postgres" | "postgresql", rest)) if rest.starts_with("//") => {
                Ok(Database::Postgres)
            }
            _ => bail!("unsupported database URL {url:?}: use sqlite://PATH or postgres://…"),
        }
    }
}

/// The queue `QUORUM_QUEUE` names.
#[derive(Debug, Clone, PartialEq, Eq)]
enum QueueSpec {
    /// `db` (or nothing): the store's own job table.
    Database,
    /// `redis://HOST:PORT[/DB]`, where a `prefix=` query parameter names the keys, so that
    /// deployments can share one Redis.
    Redis { url: String, prefix: String },
}

impl QueueSpec {
    fn of(spec: &str) -> anyhow::Result<Self> {
        if spec.is_empty() || spec == "db" {
            return Ok(QueueSpec::Database);
        }
        if !spec.starts_with("redis://") {
            bail!("unsupported queue {spec:?}: use db or redis://HOST:PORT");
        }
        let (url, prefix) = split_prefix(spec);
        Ok(QueueSpec::Redis { url, prefix })
    }
}

/// Takes `prefix=` out of a Redis URL's query, which the Redis client would not accept.
fn split_prefix(spec: &str) -> (String, String) {
    let Some((base, query)) = spec.split_once('?') else {
        return (spec.to_owned(), DEFAULT_PREFIX.to_owned());
    };
    let mut prefix = DEFAULT_PREFIX.to_owned();
    let mut rest = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.strip_prefix("prefix=") {
            Some(value) if !value.is_empty() => prefix = value.to_owned(),
            _ => rest.push(pair),
        }
    }
    let url = match rest.is_empty() {
        true => base.to_owned(),
        false => format!("{base}?{}", rest.join("&")),
    };
    (url, prefix)
}

/// Opens the store `settings` name (creating the data dir for SQLite) and the queue over it.
pub async fn open(settings: &Settings) -> anyhow::Result<(Arc<dyn Store>, Arc<dyn Queue>)> {
    let url = settings.database_url();
    let opening_the_database = || format!("opening the database ({settings:?})");
    let database = Database::of(&url).with_context(opening_the_database)?;
    if database == Database::Sqlite {
        std::fs::create_dir_all(&settings.data_dir)
            .with_context(|| format!("creating the data dir {}", settings.data_dir.display()))?;
    }
    let store = open_store(database, &url, settings.db_connections)
        .await
        .with_context(opening_the_database)?;
    let queue = open_queue(&settings.queue, store.clone())
        .await
        .with_context(|| format!("opening the queue ({settings:?})"))?;
    Ok((store, queue))
}

async fn open_store(
    database: Database,
    url: &str,
    connections: u32,
) -> anyhow::Result<Arc<dyn Store>> {
    Ok(match database {
        Database::Sqlite => Arc::new(SqliteStore::connect(url, connections).await?),
        Database::Postgres => Arc::new(PgStore::connect(url, connections).await?),
    })
}

async fn open_queue(spec: &str, store: Arc<dyn Store>) -> anyhow::Result<Arc<dyn Queue>> {
    Ok(match QueueSpec::of(spec)? {
        QueueSpec::Database => Arc::new(DbQueue::new(store)),
        QueueSpec::Redis { url, prefix } => Arc::new(RedisQueue::connect(&url, &prefix).await?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_url_names_its_backend_by_scheme() {
        assert_eq!(
            Database::of("sqlite:///tmp/q.db").unwrap(),
            Database::Sqlite
        );
        assert_eq!(Database::of("sqlite:q.db").unwrap(), Database::Sqlite);
        for url in [
            "postgres://u@h/db",
            "postgresql://u@h:5432/db?sslmode=disable",
        ] {
            assert_eq!(Database::of(url).unwrap(), Database::Postgres, "{url}");
        }
        for url in ["mysql://h/db", "postgres:h/db", "SQLITE:q.db", "q.db", ""] {
            let refused = Database::of(url).unwrap_err().to_string();
            assert!(
                refused.contains("use sqlite://PATH or postgres://"),
                "{url}: {refused}"
            );
        }
    }

    #[test]
    fn the_queue_is_the_databases_unless_a_redis_url_is_given() {
        assert_eq!(QueueSpec::of("").unwrap(), QueueSpec::Database);
        assert_eq!(QueueSpec::of("db").unwrap(), QueueSpec::Database);
        assert_eq!(
            QueueSpec::of("redis://h:6379?prefix=team_a").unwrap(),
            QueueSpec::Redis {
                url: "redis://h:6379".into(),
                prefix: "team_a".into()
            }
        );
        let refused = QueueSpec::of("amqp://h").unwrap_err().to_string();
        assert!(refused.contains("use db or redis://HOST:PORT"), "{refused}");
    }

    #[test]
    fn a_redis_url_may_name_its_key_prefix() {
        let split = |s: &str| {
            let (url, prefix) = split_prefix(s);
            (url, prefix)
        };
        assert_eq!(
            split("redis://127.0.0.1:6379"),
            ("redis://127.0.0.1:6379".into(), "quorum".into())
        );
        assert_eq!(
            split("redis://h:6379/2?prefix=team_a"),
            ("redis://h:6379/2".into(), "team_a".into())
        );
        assert_eq!(
            split("redis://h?protocol=resp3&prefix=x"),
            ("redis://h?protocol=resp3".into(), "x".into())
        );
    }
}
