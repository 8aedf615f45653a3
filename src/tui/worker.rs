//! Runs the console's background jobs (loading the queue, reading the audit's sources, fetching
//! a PR's diff, sending a verdict). A job posts what it found to the console's event channel
//! itself; the worker only decides where it runs: each on a thread of its own (the console), or
//! queued and run on the caller's thread when asked ([`Worker::run_queued`]), so a test steps
//! through background work without sleeping.

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;

/// A job: runs once, anywhere.
pub type Job = Box<dyn FnOnce() + Send>;

/// Where jobs run.
#[derive(Clone)]
pub enum Worker {
    /// Each job on a named thread of its own (a panic there is not fatal: see
    /// [`crate::tui::run`]).
    Threads,
    /// Queued until [`Worker::run_queued`] runs them on the caller's thread, in order.
    Inline(Arc<Mutex<VecDeque<Job>>>),
}

impl Worker {
    /// Jobs on background threads.
    pub fn threads() -> Worker {
        Worker::Threads
    }

    /// Jobs queued for [`Worker::run_queued`] (tests).
    pub fn inline() -> Worker {
        Worker::Inline(Arc::default())
    }

    /// Runs `job` (on a thread named `name`, or later: see [`Worker::Inline`]). When no thread
    /// can be started, the job runs here and now, so its answer always comes.
    pub fn spawn(&self, name: &str, job: Job) {
        match self {
            Worker::Threads => {
                let slot = Arc::new(Mutex::new(Some(job)));
                let theirs = Arc::clone(&slot);
                let spawned = thread::Builder::new().name(name.to_owned()).spawn(move || {
                    if let Some(job) = lock(&theirs).take() {
                        job();
                    }
                });
                if spawned.is_err() {
                    let job = lock(&slot).take();
                    if let Some(job) = job {
                        job();
                    }
                }
            }
            Worker::Inline(queue) => lock(queue).push_back(job),
        }
    }

    /// Runs every queued job here, those they queue included; whether any ran. Nothing for
    /// [`Worker::Threads`].
    pub fn run_queued(&self) -> bool {
        let Worker::Inline(queue) = self else {
            return false;
        };
        let mut ran = false;
        loop {
            let next = lock(queue).pop_front();
            let Some(job) = next else {
                return ran;
            };
            job();
            ran = true;
        }
    }
}

/// The result of `work`, or of `lost` when `work` panicked (the panic hook has written the
/// crash report by then).
pub fn guarded<T>(work: impl FnOnce() -> T, lost: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|_| lost())
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;

    #[test]
    fn inline_jobs_wait_until_run_and_run_what_they_queue() {
        let worker = Worker::inline();
        let (sender, receiver) = channel();
        let inner = worker.clone();
        worker.spawn(
            "outer",
            Box::new(move || {
                let again = sender.clone();
                inner.spawn("inner", Box::new(move || again.send(2).unwrap_or(())));
                sender.send(1).unwrap_or(());
            }),
        );
        assert!(
            receiver.try_recv().is_err(),
            "nothing runs before it is asked"
        );
        assert!(worker.run_queued());
        assert_eq!(receiver.try_iter().collect::<Vec<_>>(), [1, 2]);
        assert!(!worker.run_queued());
    }

    #[test]
    fn thread_jobs_run_and_a_panic_becomes_the_lost_answer() {
        let (sender, receiver) = channel();
        Worker::threads().spawn("t", Box::new(move || sender.send(7).unwrap_or(())));
        assert_eq!(receiver.recv().ok(), Some(7));
        assert_eq!(guarded(|| panic!("bug"), || 3), 3);
        assert_eq!(guarded(|| 4, || 3), 4);
    }
}
