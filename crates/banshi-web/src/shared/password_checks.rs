//! Password checks on a few threads of their own. Each argon2 check takes 19 MiB for a moment, by
//! design; on tokio's blocking pool a crowd of sign-ins grows the pool to hundreds of threads, each
//! keeping its own allocator arena, and the memory stays taken. Here the threads are fixed
//! (`limits.password_checks_at_once`), so is the memory; sign-ins beyond them wait their turn, and
//! are answered "busy" when the queue is full or the wait too long.

use super::error::AppError;
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Check = Box<dyn FnOnce() + Send>;

/// Sign-ins waiting for a check, beyond which they are answered "busy" at once.
const MOST_WAITING: usize = 256;

pub struct PasswordChecks {
    queue: SyncSender<Check>,
}

impl PasswordChecks {
    pub fn start(threads: usize) -> Self {
        let (queue, checks) = sync_channel::<Check>(MOST_WAITING);
        let checks = Arc::new(Mutex::new(checks));
        for n in 0..threads.max(1) {
            let checks = checks.clone();
            let spawned = std::thread::Builder::new().name(format!("password-check-{n}")).spawn(move || loop {
                // The lock is held only while waiting for the next check, not while it runs.
                let next = checks.lock().unwrap_or_else(|e| e.into_inner()).recv();
                match next {
                    Ok(check) => check(),
                    Err(_) => break,
                }
            });
            if let Err(err) = spawned {
                tracing::error!(%err, "could not start a password-check thread");
            }
        }
        PasswordChecks { queue }
    }

    /// Runs `check` on a password thread and waits at most `wait` for its answer.
    pub async fn run(&self, wait: Duration, check: impl FnOnce() -> bool + Send + 'static) -> Result<bool, AppError> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Check = Box::new(move || {
            // A sign-in that stopped waiting needs no answer: skip the 19 MiB.
            if !answer.is_closed() {
                let _ = answer.send(check());
            }
        });
        match self.queue.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => return Err(AppError::Busy),
            Err(TrySendError::Disconnected(_)) => return Err(AppError::Internal("no password-check thread is running".into())),
        }
        match tokio::time::timeout(wait, answered).await {
            Ok(Ok(matches)) => Ok(matches),
            Ok(Err(_)) => Err(AppError::Internal("a password check ended without an answer".into())),
            Err(_) => Err(AppError::Busy),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn checks_run_on_their_threads_and_a_full_queue_or_a_long_wait_is_busy() {
        let checks = PasswordChecks::start(1);
        assert!(checks.run(Duration::from_secs(5), || true).await.unwrap());
        let slow = checks.run(Duration::from_millis(50), || {
            std::thread::sleep(Duration::from_millis(300));
            true
        });
        assert!(matches!(slow.await, Err(AppError::Busy)), "waited too long");
        assert!(!checks.run(Duration::from_secs(5), || false).await.unwrap(), "the next check still runs");
    }
}
