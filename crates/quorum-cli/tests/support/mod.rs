//! What the binary's test files share: a free port, a child process that dies with its
//! owner, and a fresh Redis key prefix for a cluster of processes (the PostgreSQL schema
//! comes from quorum-testkit).

use std::net::TcpListener;
use std::process::Child;
use std::time::Duration;

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `quorum` process, killed with SIGKILL when dropped.
pub struct Process(pub Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A Redis queue under a key prefix of its own, deleted afterwards.
#[allow(
    dead_code,
    reason = "each test binary compiles this module; cli.rs runs no cluster"
)]
pub struct RedisQueue {
    url: String,
    prefix: String,
}

#[allow(
    dead_code,
    reason = "each test binary compiles this module; cli.rs runs no cluster"
)]
impl RedisQueue {
    pub async fn fresh(name: &str) -> Option<Self> {
        let url = std::env::var("QUORUM_TEST_REDIS_URL")
            .unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
        let reachable = async {
            let client = redis::Client::open(url.as_str())?;
            let mut conn = client.get_multiplexed_async_connection().await?;
            redis::cmd("PING").query_async::<String>(&mut conn).await
        };
        match tokio::time::timeout(Duration::from_secs(3), reachable).await {
            Ok(Ok(_)) => Some(RedisQueue {
                url,
                prefix: format!(
                    "{name}_{}",
                    std::process::id() as u64 * 1000 + rand_suffix()
                ),
            }),
            Ok(Err(e)) => {
                quorum_testkit::skip(
                    "Redis",
                    &format!("not reachable at {url}: {e}"),
                    quorum_testkit::REDIS_HOW,
                );
                None
            }
            Err(_) => {
                quorum_testkit::skip(
                    "Redis",
                    &format!("no answer from {url} within 3 s"),
                    quorum_testkit::REDIS_HOW,
                );
                None
            }
        }
    }

    pub fn spec(&self) -> String {
        format!("{}?prefix={}", self.url, self.prefix)
    }

    pub async fn clean(&self) {
        let client = redis::Client::open(self.url.as_str()).unwrap();
        let mut conn = client.get_multiplexed_async_connection().await.unwrap();
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{}:*", self.prefix))
            .query_async(&mut conn)
            .await
            .unwrap();
        if !keys.is_empty() {
            let _: () = redis::cmd("DEL")
                .arg(keys)
                .query_async(&mut conn)
                .await
                .unwrap();
        }
    }
}

#[allow(
    dead_code,
    reason = "each test binary compiles this module; cli.rs runs no cluster"
)]
fn rand_suffix() -> u64 {
    u64::from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
            % 1000,
    )
}
