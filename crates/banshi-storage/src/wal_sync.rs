//! Group commit for the SQLite store.
//!
//! With `synchronous = FULL` SQLite flushes its write-ahead log to disk at every commit, and one
//! writer can then commit no faster than the disk flushes (about 0.8 ms here: some 1,200 commits a
//! second, whatever the CPU). The store runs with `synchronous = NORMAL` instead, where a commit
//! reaches the log but not yet the disk, and acknowledges no write before [`WalSync::durable`]
//! says a flush that began after its commit has finished. One flush thread serves every commit
//! made meanwhile, so a busy hall pays one flush for many writes, and an acknowledged write still
//! survives a power cut. (A checkpoint that empties the log flushes the database file first, so a
//! commit moved out of the log before the flush is on disk too.)

use crate::{StoreError, StoreResult};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};

#[derive(Default)]
struct Progress {
    /// Commits made so far; each waits for a flush that began after it.
    committed: u64,
    stopping: bool,
}

/// What the flush thread has done: every commit up to `synced` is on disk; a flush that failed
/// fails every commit up to `failed`.
#[derive(Clone, Default)]
struct Flushed {
    synced: u64,
    failed: u64,
    error: Option<String>,
}

pub(crate) struct WalSync {
    progress: Arc<(Mutex<Progress>, Condvar)>,
    flushed: tokio::sync::watch::Receiver<Flushed>,
}

impl WalSync {
    /// Starts the flush thread for the database file at `database` (its log is `<file>-wal`).
    pub(crate) fn start(database: &Path) -> std::io::Result<Self> {
        let wal = PathBuf::from(format!("{}-wal", database.display()));
        // The log's directory entry must be on disk too, once.
        if let Some(dir) = database.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::File::open(dir)?.sync_all()?;
        }
        let progress = Arc::new((Mutex::new(Progress::default()), Condvar::new()));
        let (report, flushed) = tokio::sync::watch::channel(Flushed::default());
        let shared = progress.clone();
        std::thread::Builder::new().name("banshi-wal-sync".into()).spawn(move || flush_loop(&wal, &shared, &report))?;
        Ok(WalSync { progress, flushed })
    }

    /// Call right after a commit returns; resolves once that commit is on disk.
    pub(crate) async fn durable(&self) -> StoreResult<()> {
        let ticket = {
            let (lock, wake) = &*self.progress;
            let mut progress = lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            progress.committed += 1;
            wake.notify_one();
            progress.committed
        };
        let mut flushed = self.flushed.clone();
        let outcome = flushed
            .wait_for(|f| f.synced >= ticket || f.failed >= ticket)
            .await
            .map_err(|_| StoreError::Database(sqlx::Error::WorkerCrashed))?
            .clone();
        if outcome.synced >= ticket {
            Ok(())
        } else {
            let message = outcome.error.unwrap_or_default();
            Err(StoreError::Database(sqlx::Error::Io(std::io::Error::other(format!("the write-ahead log could not be flushed: {message}")))))
        }
    }
}

impl Drop for WalSync {
    fn drop(&mut self) {
        let (lock, wake) = &*self.progress;
        lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).stopping = true;
        wake.notify_one();
    }
}

fn flush_loop(wal: &Path, progress: &(Mutex<Progress>, Condvar), report: &tokio::sync::watch::Sender<Flushed>) {
    let (lock, wake) = progress;
    let mut done = 0;
    loop {
        let target = {
            let mut state = lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            while state.committed == done && !state.stopping {
                state = wake.wait(state).unwrap_or_else(|poisoned| poisoned.into_inner());
            }
            if state.committed == done {
                return;
            }
            state.committed
        };
        // Opened afresh each time: the log file SQLite uses now, whatever happened to earlier ones.
        let flushed = match std::fs::OpenOptions::new().write(true).open(wal) {
            Ok(file) => file.sync_data(),
            // No log: every commit has been checkpointed into the database file, which SQLite flushed.
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(err) => Err(err),
        };
        report.send_modify(|f| match flushed {
            Ok(()) => f.synced = target,
            Err(err) => {
                tracing::error!(%err, "flushing the SQLite write-ahead log failed");
                f.failed = target;
                f.error = Some(err.to_string());
            }
        });
        done = target;
    }
}
