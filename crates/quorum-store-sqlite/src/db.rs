//! The connections: one writer and a few readers, each owned by a thread of its own.
//!
//! A store call hands its whole transaction to a connection thread as one closure and awaits
//! the answer. SQLite has one writer per database, so what limits writes is how long each
//! transaction holds it: run statement by statement from async code, the writer sat idle
//! between statements whenever the runtime was busy (a website workflow makes about a hundred
//! statements), and every write in the process queued behind it. Run on the connection's
//! thread, a transaction holds the writer only for the time SQLite works.
//!
//! The writer commits what is queued together: a write that arrives while another runs waits
//! in the queue, and the writer then runs every queued write in one transaction, each in a
//! savepoint of its own, and commits once (group commit). A write that fails is rolled back to
//! its savepoint alone; each caller hears of its write only once the transaction holding it
//! has committed, so none sees a success that a failed commit takes back.

use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

use quorum_store::{StoreError, StoreResult};
use rusqlite::{Connection, OpenFlags};

use crate::Result;

/// What a connection's thread runs.
enum Job {
    /// On the connection alone: a read, or the writer's migrations.
    Alone(Box<dyn FnOnce(&mut Connection) + Send>),
    /// A write transaction's work, run in a savepoint of the writer's current transaction.
    Write(WriteWork),
}

/// How a write answers its caller once its fate is known: `kept` when its work succeeded and
/// its savepoint stays; `answer` is then called with the commit's outcome (a failed write's
/// answer ignores it: it sends its own error).
struct Settle {
    kept: bool,
    answer: Answer,
}

/// Sends a write's outcome to its caller, given the commit's error if it failed.
type Answer = Box<dyn FnOnce(Option<StoreError>) + Send>;

/// A write's work, given the writer's connection inside a transaction, or why there is none.
type WriteWork = Box<dyn FnOnce(std::result::Result<&Connection, &StoreError>) -> Settle + Send>;

/// Writes run in one transaction at most: enough to take the commit out of a busy writer's
/// costs, few enough that a batch does not keep its first caller waiting long.
const BATCH: usize = 64;

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
                    let mut next: Option<Job> = None;
                    loop {
                        let job = match next.take() {
                            Some(job) => job,
                            // One idle thread waits in recv; the others wait for the lock.
                            None => match receiver.lock() {
                                Ok(queue) => match queue.recv() {
                                    Ok(job) => job,
                                    Err(_) => return,
                                },
                                Err(_) => return,
                            },
                        };
                        next = match job {
                            Job::Alone(job) => {
                                // A panicking job is a bug, but it must not take the
                                // connection with it: its transaction rolls back as it
                                // unwinds, and its caller gets an error because the reply is
                                // dropped.
                                if std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut conn)))
                                    .is_err()
                                {
                                    tracing::error!(
                                        "a SQLite store call panicked; it was rolled back"
                                    );
                                }
                                None
                            }
                            Job::Write(first) => batch(&conn, first, || {
                                receiver.lock().ok().and_then(|queue| queue.try_recv().ok())
                            }),
                        };
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
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.send(Job::Alone(Box::new(move |conn| {
            let _ = reply.send(job(conn).map_err(|e| e.0));
        })))?;
        Self::answer(answer).await
    }

    /// Runs `work` in a savepoint of the writer's transaction; answers once that commits.
    async fn write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
    ) -> StoreResult<T> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.send(Job::Write(Box::new(move |conn| {
            match conn
                .map_err(StoreError::clone)
                .and_then(|conn| work(conn).map_err(|e| e.0))
            {
                Ok(value) => Settle {
                    kept: true,
                    answer: Box::new(move |failed| {
                        let _ = reply.send(match failed {
                            None => Ok(value),
                            Some(e) => Err(e),
                        });
                    }),
                },
                Err(e) => Settle {
                    kept: false,
                    answer: Box::new(move |_| {
                        let _ = reply.send(Err(e));
                    }),
                },
            }
        })))?;
        Self::answer(answer).await
    }

    fn send(&self, job: Job) -> StoreResult<()> {
        let sent = match self.jobs.lock() {
            Ok(jobs) => jobs.as_ref().is_some_and(|jobs| jobs.send(job).is_ok()),
            Err(_) => false,
        };
        match sent {
            true => Ok(()),
            false => Err(StoreError::Unavailable("the SQLite store is closed".into())),
        }
    }

    async fn answer<T>(answer: tokio::sync::oneshot::Receiver<StoreResult<T>>) -> StoreResult<T> {
        answer.await.unwrap_or_else(|_| {
            Err(StoreError::Other(
                "the SQLite store call stopped before answering (see the log)".into(),
            ))
        })
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

/// Runs `first` and the writes queued behind it (taken by `more`, up to [`BATCH`]) in one
/// transaction, each in a savepoint, commits, and answers them all. Returns a job that `more`
/// gave and that is not a write, for the thread to run next.
fn batch(
    conn: &Connection,
    first: WriteWork,
    mut more: impl FnMut() -> Option<Job>,
) -> Option<Job> {
    let mut kept: Vec<Answer> = Vec::new();
    let mut leftover = None;
    let mut broken: Option<StoreError> = conn
        .execute_batch("BEGIN IMMEDIATE")
        .err()
        .map(|e| crate::Error::from(e).0);
    let mut work = Some(first);
    while let Some(job) = work.take() {
        match &broken {
            // Without a transaction to run in, the write fails with what stopped it.
            Some(e) => (job(Err(e)).answer)(None),
            None => match savepoint(conn, job) {
                Ok(Some(answer)) => kept.push(answer),
                Ok(None) => {}
                Err(e) => broken = Some(e),
            },
        }
        if kept.len() >= BATCH || broken.is_some() {
            break;
        }
        match more() {
            Some(Job::Write(next)) => work = Some(next),
            other => leftover = other,
        }
    }
    let outcome = match broken {
        Some(e) => Err(e),
        None => conn
            .execute_batch("COMMIT")
            .map_err(|e| crate::Error::from(e).0),
    };
    if outcome.is_err() && !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    for answer in kept {
        answer(outcome.as_ref().err().cloned());
    }
    leftover
}

/// One write in a savepoint: kept when it succeeds (its answer waits for the commit), rolled
/// back alone and answered at once when it fails or panics. An error of the savepoint itself
/// breaks the whole transaction.
fn savepoint(conn: &Connection, job: WriteWork) -> StoreResult<Option<Answer>> {
    let sql = |statement: &str| {
        conn.execute_batch(statement)
            .map_err(|e| crate::Error::from(e).0)
    };
    sql("SAVEPOINT write")?;
    match std::panic::catch_unwind(AssertUnwindSafe(|| job(Ok(conn)))) {
        Ok(Settle { kept: true, answer }) => {
            sql("RELEASE write")?;
            Ok(Some(answer))
        }
        Ok(Settle {
            kept: false,
            answer,
        }) => {
            sql("ROLLBACK TO write; RELEASE write")?;
            answer(None);
            Ok(None)
        }
        Err(_) => {
            // Its reply is dropped with it: the caller hears that the call stopped.
            tracing::error!("a SQLite store call panicked; it was rolled back");
            sql("ROLLBACK TO write; RELEASE write")?;
            Ok(None)
        }
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

    /// Runs `f` in one write transaction, committed when it returns `Ok` (with the writes
    /// queued beside it, see the module's documentation).
    pub(crate) async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
    ) -> StoreResult<T> {
        self.writer.write(f).await
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

    /// Writes queued behind a slow one commit together: a failing one among them is rolled back
    /// alone, the others are all kept, and each caller hears its own outcome.
    #[tokio::test]
    async fn writes_queued_together_commit_together_and_a_failing_one_alone_is_undone() {
        let dir = tempfile::tempdir().unwrap();
        let db = std::sync::Arc::new(Db::open(&dir.path().join("quorum.db"), 1).unwrap());
        db.write(|tx| Ok(tx.execute_batch("CREATE TABLE t (n INTEGER UNIQUE)")?))
            .await
            .unwrap();
        // Holds the writer while the others queue.
        let slow = tokio::spawn({
            let db = db.clone();
            async move {
                db.write(|tx| {
                    std::thread::sleep(Duration::from_millis(200));
                    Ok(tx.execute("INSERT INTO t VALUES (0)", [])?)
                })
                .await
            }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        let writes: Vec<_> = (1..=30_i64)
            .map(|n| {
                let db = db.clone();
                tokio::spawn(async move {
                    db.write(move |tx| -> Result<i64> {
                        tx.execute("INSERT INTO t VALUES (?1)", [n])?;
                        if n % 3 == 0 {
                            // Fails after writing: what it wrote must go with it.
                            tx.execute("INSERT INTO t VALUES (?1)", [n])?;
                        }
                        Ok(n)
                    })
                    .await
                })
            })
            .collect();
        slow.await.unwrap().unwrap();
        for (n, write) in (1..=30_i64).zip(writes) {
            match write.await.unwrap() {
                Ok(kept) => assert!(n % 3 != 0 && kept == n),
                Err(StoreError::Conflict(_)) => assert_eq!(n % 3, 0),
                Err(other) => panic!("write {n}: {other}"),
            }
        }
        let rows: Vec<i64> = db
            .read(|conn| {
                let mut statement = conn.prepare("SELECT n FROM t ORDER BY n")?;
                let rows = statement.query_map([], |row| row.get(0))?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            })
            .await
            .unwrap();
        let expected: Vec<i64> = (0..=30).filter(|n| n % 3 != 0 || *n == 0).collect();
        assert_eq!(rows, expected);
    }
}
