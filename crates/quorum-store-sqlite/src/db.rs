//! The connections: one writer and a few readers, each owned by a thread of its own.
//!
//! A store call hands its whole transaction to a connection thread as one closure and awaits
//! the answer. SQLite has one writer per database, so what limits writes is how long each
//! transaction holds it: run statement by statement from async code, the writer sat idle
//! between statements whenever the runtime was busy (a website workflow makes about a hundred
//! statements), and every write in the process queued behind it. Run on the connection's
//! thread, a transaction holds the writer only for the time SQLite works.

use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

use quorum_store::{StoreError, StoreResult};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::Result;

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// Connections that each live on a thread of their own, taking jobs from one queue.
struct Threads {
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    handles: Mutex<Vec<JoinHandle<()>>>,
}

impl Threads {
    fn start(name: &str, connections: Vec<Connection>) -> StoreResult<Self> {
        let (sender, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        let mut handles = Vec::with_capacity(connections.len());
        for (n, mut conn) in connections.into_iter().enumerate() {
            let receiver = Arc::clone(&receiver);
            let handle = std::thread::Builder::new()
                .name(format!("{name}-{n}"))
                .spawn(move || {
                    loop {
                        // One idle thread waits in recv; the others wait for the lock.
                        let next = match receiver.lock() {
                            Ok(queue) => queue.recv(),
                            Err(_) => return,
                        };
                        let Ok(job) = next else { return };
                        // A panicking job is a bug, but it must not take the connection with
                        // it: its transaction rolls back as it unwinds, and its caller gets an
                        // error because the reply is dropped.
                        if std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut conn))).is_err() {
                            tracing::error!("a SQLite store call panicked; it was rolled back");
                        }
                    }
                })
                .map_err(|e| StoreError::Unavailable(format!("starting {name}: {e}")))?;
            handles.push(handle);
        }
        Ok(Self {
            jobs: Mutex::new(Some(sender)),
            handles: Mutex::new(handles),
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> StoreResult<T> {
        let closed = || StoreError::Unavailable("the SQLite store is closed".into());
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let _ = reply.send(job(conn));
        });
        let sent = match self.jobs.lock() {
            Ok(jobs) => jobs.as_ref().is_some_and(|jobs| jobs.send(job).is_ok()),
            Err(_) => false,
        };
        if !sent {
            return Err(closed());
        }
        match answer.await {
            Ok(result) => result.map_err(|e| e.0),
            Err(_) => Err(StoreError::Other(
                "the SQLite store call stopped before answering (see the log)".into(),
            )),
        }
    }

    /// Stops taking jobs, lets the threads finish the ones queued, and waits for them.
    async fn close(&self) {
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.take();
        }
        let handles = match self.handles.lock() {
            Ok(mut handles) => std::mem::take(&mut *handles),
            Err(_) => return,
        };
        let _ = tokio::task::spawn_blocking(move || {
            for handle in handles {
                let _ = handle.join();
            }
        })
        .await;
    }
}

pub(crate) struct Db {
    writer: Threads,
    readers: Threads,
}

fn open(path: &Path, flags: OpenFlags, cache_kib: i64) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.set_prepared_statement_cache_capacity(64);
    conn.execute_batch(&format!(
        "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA temp_store = memory; \
         PRAGMA cache_size = -{cache_kib};"
    ))?;
    Ok(conn)
}

/// The writer, which sets the file to WAL mode, and `readers` read-only connections.
fn connections(path: &Path, readers: u32) -> Result<(Connection, Vec<Connection>)> {
    let create = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    // The writer's page cache stays small: SQLite truncates it by walking its whole hash
    // table, which grows with it. At 256 MB that walk took a third of the writer's time once
    // website workflows had filled it with blobs (90 against 122 websites/s over 1,500 with
    // 16 MB), and the 1,000,000-workflow demo load took 78.5 s against 65.3 s.
    let writer = open(path, create, 16_384)?;
    // WAL lets readers go on while the writer writes; it is a property of the file.
    writer.pragma_update(None, "journal_mode", "WAL")?;
    let read_only = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let readers = (0..readers.max(1))
        .map(|_| open(path, read_only, 65_536))
        .collect::<Result<Vec<_>>>()?;
    Ok((writer, readers))
}

impl Db {
    /// Opens (creating if missing) the database file at `path` in WAL mode, with one writer
    /// and `readers` read-only connections.
    pub(crate) fn open(path: &Path, readers: u32) -> StoreResult<Self> {
        let (writer, readers) = connections(path, readers).map_err(|e| e.0)?;
        Ok(Self {
            writer: Threads::start("quorum-sqlite-writer", vec![writer])?,
            readers: Threads::start("quorum-sqlite-reader", readers)?,
        })
    }

    /// Runs `f` in one write transaction, committed when it returns `Ok`.
    pub(crate) async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Transaction) -> Result<T> + Send + 'static,
    ) -> StoreResult<T> {
        self.writer
            .run(move |conn| {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let value = f(&tx)?;
                tx.commit()?;
                Ok(value)
            })
            .await
    }

    /// Runs `f` on the writer without a transaction (migrations manage their own).
    pub(crate) async fn with_writer<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> StoreResult<T> {
        self.writer.run(f).await
    }

    /// Runs `f` on a read-only connection, in one snapshot: every statement of it sees what
    /// was committed when it began.
    pub(crate) async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
    ) -> StoreResult<T> {
        self.readers
            .run(move |conn| {
                let snapshot = conn.transaction()?;
                f(&snapshot)
            })
            .await
    }

    pub(crate) async fn close(&self) {
        self.writer.close().await;
        self.readers.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_call_that_panics_is_rolled_back_and_the_writer_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("quorum.db"), 1).unwrap();
        db.write(|tx| Ok(tx.execute_batch("CREATE TABLE t (n INTEGER)")?))
            .await
            .unwrap();
        let failed = db
            .write(|tx| -> Result<()> {
                tx.execute("INSERT INTO t VALUES (1)", [])?;
                panic!("a bug in a store call");
            })
            .await;
        assert!(matches!(failed, Err(StoreError::Other(_))));
        db.write(|tx| Ok(tx.execute("INSERT INTO t VALUES (2)", [])?))
            .await
            .unwrap();
        let rows: Vec<i64> = db
            .read(|conn| {
                let mut statement = conn.prepare("SELECT n FROM t ORDER BY n")?;
                let rows = statement.query_map([], |row| row.get(0))?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            })
            .await
            .unwrap();
        assert_eq!(rows, vec![2]);
        db.close().await;
        let closed = db
            .read(|conn| Ok(conn.query_row("SELECT 1", [], |_| Ok(()))?))
            .await;
        assert!(matches!(closed, Err(StoreError::Unavailable(_))));
    }
}
