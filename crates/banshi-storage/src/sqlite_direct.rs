//! SQLite's queue hot path, off sqlx: one writer thread that commits writes in batches, and read
//! connections used in place.
//!
//! Measured with `banshi bench queue`, most of the server's time went to waking threads: sqlx runs
//! each SQLite connection on a thread of its own and hands it every statement and every row, and
//! the log flush was another hand-off. Here a queue write is one message to a thread that owns a
//! connection of its own (its prepared statements stay prepared): it takes every write waiting,
//! runs each in a savepoint of one transaction, commits once with `synchronous = FULL` (the log is
//! flushed before `COMMIT` returns), and only then answers each. Writes that arrive during the
//! flush form the next batch, so one flush serves many writes (group commit). A write that fails
//! rolls back to its savepoint alone. The hot reads (the waiting list, the windows) run on the
//! caller's thread on a read-only connection of a small pool: a few dozen microseconds of work,
//! less than a thread hand-off.
//!
//! sqlx's own writer connection stays for every other write; SQLite lets one writer in at a time
//! and the other waits (`busy_timeout`).

use crate::{StoreError, StoreResult};
use rusqlite::{Connection, OpenFlags};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Mutex};
use std::time::Duration;

/// The most writes one transaction takes, so the write lock is released now and then for sqlx's
/// writer.
const MAX_BATCH: usize = 64;
/// Prepared statements kept per connection: every query of the hot path, with room.
const STATEMENT_CACHE: usize = 64;
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// A write waiting for its batch.
trait Job: Send {
    /// Runs inside the batch's transaction; says whether its changes are to be kept.
    fn run(&mut self, db: &Connection) -> bool;
    /// Answers once the batch is committed, or with `failure` when the commit failed.
    fn answer(self: Box<Self>, failure: Option<&str>);
}

struct Write<T, F> {
    work: Option<F>,
    result: Option<StoreResult<T>>,
    reply: tokio::sync::oneshot::Sender<StoreResult<T>>,
}

impl<T: Send, F: FnOnce(&Connection) -> StoreResult<T> + Send> Job for Write<T, F> {
    fn run(&mut self, db: &Connection) -> bool {
        let Some(work) = self.work.take() else { return false };
        // A bug in one write must not take the writer, and every later write, down with it.
        let result = catch_unwind(AssertUnwindSafe(|| work(db))).unwrap_or_else(|_| Err(StoreError::Direct("the write failed unexpectedly".into())));
        let keep = result.is_ok();
        self.result = Some(result);
        keep
    }

    fn answer(self: Box<Self>, failure: Option<&str>) {
        let result = match (failure, self.result) {
            (_, Some(Err(err))) => Err(err),
            (Some(failure), _) => Err(StoreError::Direct(failure.to_string())),
            (None, Some(value)) => value,
            (None, None) => Err(StoreError::Direct("the write did not run".into())),
        };
        // The caller may have gone (a closed request); the write stands all the same.
        let _ = self.reply.send(result);
    }
}

pub(crate) struct DirectDb {
    jobs: mpsc::Sender<Box<dyn Job>>,
    readers: Mutex<Vec<Connection>>,
    path: PathBuf,
    max_idle_readers: usize,
}

impl DirectDb {
    /// Opens the writer's connection (the database exists and is migrated) and starts its thread.
    pub(crate) fn start(path: &Path) -> StoreResult<DirectDb> {
        let writer = open(path, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        writer.pragma_update(None, "synchronous", "FULL")?;
        writer.pragma_update(None, "foreign_keys", true)?;
        let (jobs, inbox) = mpsc::channel::<Box<dyn Job>>();
        std::thread::Builder::new()
            .name("banshi-writer".into())
            .spawn(move || write_loop(&writer, &inbox))
            .map_err(|e| StoreError::Direct(format!("cannot start the writer: {e}")))?;
        let max_idle_readers = std::thread::available_parallelism().map_or(2, |n| n.get()) * 2;
        Ok(DirectDb { jobs, readers: Mutex::new(Vec::new()), path: path.to_path_buf(), max_idle_readers })
    }

    /// Runs `work` in the next batch and returns its result once the batch is committed and on disk.
    pub(crate) async fn write<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job: Box<dyn Job> = Box::new(Write { work: Some(work), result: None, reply });
        self.jobs.send(job).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// Runs `work` on a read-only connection on this thread.
    pub(crate) fn read<T>(&self, work: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        let idle = self.readers.lock().map_err(|_| StoreError::Direct("the read connections are unusable".into()))?.pop();
        let db = match idle {
            Some(db) => db,
            None => {
                let db = open(&self.path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
                db.pragma_update(None, "query_only", true)?;
                db
            }
        };
        let result = work(&db);
        if let Ok(mut readers) = self.readers.lock() {
            if readers.len() < self.max_idle_readers {
                readers.push(db);
            }
        }
        result
    }
}

fn stopped() -> StoreError {
    StoreError::Direct("the database writer has stopped".into())
}

fn open(path: &Path, access: OpenFlags) -> StoreResult<Connection> {
    let db = Connection::open_with_flags(path, access | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI)?;
    db.busy_timeout(BUSY_TIMEOUT)?;
    db.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(db)
}

fn write_loop(db: &Connection, inbox: &mpsc::Receiver<Box<dyn Job>>) {
    // Ends when the store is dropped and with it the sending side.
    while let Ok(first) = inbox.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match inbox.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let failure = run_batch(db, &mut batch).err().map(|err| {
            tracing::error!(%err, writes = batch.len(), "a batch of queue writes failed to commit");
            let _ = db.execute_batch("ROLLBACK");
            err.to_string()
        });
        for job in batch {
            job.answer(failure.as_deref());
        }
    }
}

fn run_batch(db: &Connection, batch: &mut [Box<dyn Job>]) -> rusqlite::Result<()> {
    db.execute_batch("BEGIN IMMEDIATE")?;
    for job in batch.iter_mut() {
        db.execute_batch("SAVEPOINT job")?;
        if job.run(db) {
            db.execute_batch("RELEASE job")?;
        } else {
            db.execute_batch("ROLLBACK TO job; RELEASE job")?;
        }
    }
    db.execute_batch("COMMIT")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database() -> (tempfile::TempDir, DirectDb) {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("direct.db");
        let db = Connection::open(&path).unwrap();
        db.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE counted (n INTEGER PRIMARY KEY)").unwrap();
        drop(db);
        let direct = DirectDb::start(&path).unwrap();
        (folder, direct)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_write_is_undone_alone_and_the_others_of_its_batch_stand() {
        let (_folder, direct) = database();
        let direct = std::sync::Arc::new(direct);
        let mut writes = Vec::new();
        for n in 0..200_i64 {
            let direct = direct.clone();
            writes.push(tokio::spawn(async move {
                direct
                    .write(move |db| {
                        db.execute("INSERT INTO counted (n) VALUES (?1)", [n])?;
                        // Every seventh write inserts, then fails: its row must not stay.
                        if n % 7 == 0 {
                            return Err(StoreError::Direct(format!("write {n} refused")));
                        }
                        Ok(n)
                    })
                    .await
            }));
        }
        let mut answered = 0;
        for (n, write) in writes.into_iter().enumerate() {
            match write.await.unwrap() {
                Ok(value) => assert_eq!(value, n as i64),
                Err(err) => assert!(n % 7 == 0 && err.to_string().contains("refused"), "write {n}: {err}"),
            }
            answered += 1;
        }
        assert_eq!(answered, 200);
        let rows: Vec<i64> = direct
            .read(|db| Ok(db.prepare("SELECT n FROM counted ORDER BY n")?.query_map([], |row| row.get(0))?.collect::<rusqlite::Result<_>>()?))
            .unwrap();
        let expected: Vec<i64> = (0..200).filter(|n| n % 7 != 0).collect();
        assert_eq!(rows, expected);
    }

    #[tokio::test]
    async fn a_write_that_panics_fails_alone_and_the_writer_goes_on() {
        let (_folder, direct) = database();
        let panicked = direct.write(|_db| -> StoreResult<()> { panic!("a bug") }).await;
        assert!(panicked.is_err());
        let written = direct.write(|db| Ok(db.execute("INSERT INTO counted (n) VALUES (1)", [])?)).await.unwrap();
        assert_eq!(written, 1);
    }

    #[tokio::test]
    async fn reads_see_what_was_acknowledged() {
        let (_folder, direct) = database();
        direct.write(|db| Ok(db.execute("INSERT INTO counted (n) VALUES (42)", [])?)).await.unwrap();
        let found: i64 = direct.read(|db| Ok(db.query_row("SELECT n FROM counted", [], |row| row.get(0))?)).unwrap();
        assert_eq!(found, 42);
    }
}
