//! The console's one event channel: what the reviewer does ([`Input`]), the tick while something
//! moves on screen, and the answers of background jobs ([`JobDone`]) all arrive here, and the
//! event loop blocks on it ([`Channel::wait`]). Jobs run on the [`Worker`] the channel was made
//! with and post their answer through a [`Post`].

use std::collections::BTreeMap;
use std::io;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::Duration;

use super::event::Input;
use super::loader::LoadEvent;
use super::worker::Worker;
use crate::github::dispatch::SendOutcome;
use crate::github::history::HistoryRead;
use crate::github::inline::DiffLines;
use crate::review::audit::PrKey;

/// Something the console reacts to.
pub enum Event {
    /// The reviewer did something.
    Input(Input),
    /// The terminal could not be read (the console stops).
    InputFailed(io::Error),
    /// Time passed while something on screen moves or is watched (see [`Channel::wait`]).
    Tick,
    /// A background job answered.
    Done(JobDone),
}

/// A background job's answer.
pub enum JobDone {
    /// What the queue's load `run` reported ([`crate::tui::loader::Loader::restart`]).
    Load {
        /// The run it is from (answers of a run replaced by a reload are dropped).
        run: u64,
        /// What it reported.
        event: LoadEvent,
    },
    /// The local checkout's PR heads, for the audit screen opened as number `audit`.
    Heads {
        /// Which opening of the audit screen asked.
        audit: u64,
        /// The heads, or why they could not be read.
        heads: Result<BTreeMap<PrKey, String>, String>,
    },
    /// GitHub's migration PRs, for the audit screen opened as number `audit`.
    History {
        /// Which opening of the audit screen asked.
        audit: u64,
        /// What GitHub said.
        read: HistoryRead,
    },
    /// The commentable lines of a PR's diff, for the verdict's preview.
    Diff {
        /// The PR.
        key: PrKey,
        /// Its lines, or why they could not be read.
        result: Result<DiffLines, String>,
    },
    /// A verdict sent to GitHub.
    Sent(Sent),
}

/// What became of a verdict sent in the background.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    /// The ticket the send was given.
    pub ticket: u64,
    /// Sent, queued or refused (`Err`: it could not be recorded on disk; the message says
    /// what happened).
    pub result: Result<SendOutcome, String>,
    /// Earlier verdicts waiting in the outbox that were delivered after it (GitHub was
    /// reachable again, so the due ones were retried).
    pub outbox_delivered: usize,
}

/// Where a job (or the input thread) posts to the channel.
#[derive(Clone)]
pub struct Post {
    sender: Sender<Event>,
}

impl Post {
    /// Posts `event`; `false` when the console no longer listens.
    pub fn event(&self, event: Event) -> bool {
        self.sender.send(event).is_ok()
    }

    /// Posts a job's answer; `false` when the console no longer listens.
    pub fn done(&self, done: JobDone) -> bool {
        self.event(Event::Done(done))
    }
}

/// The channel, the worker its jobs run on, and the console's end of it.
pub struct Channel {
    worker: Worker,
    post: Post,
    inbox: Receiver<Event>,
}

impl Channel {
    /// A channel whose jobs run on `worker`.
    pub fn new(worker: Worker) -> Channel {
        let (sender, inbox) = channel();
        Channel {
            worker,
            post: Post { sender },
            inbox,
        }
    }

    /// Where to post to this channel.
    pub fn post(&self) -> Post {
        self.post.clone()
    }

    /// Runs `job` on the worker (a thread named `name`); it posts its answer through the
    /// [`Post`] it is given.
    pub fn spawn(&self, name: &str, job: impl FnOnce(&Post) + Send + 'static) {
        let post = self.post();
        self.worker.spawn(name, Box::new(move || job(&post)));
    }

    /// The next event: blocks until one arrives, or until `tick` has passed ([`Event::Tick`]).
    /// Without a tick it waits as long as it takes.
    pub fn wait(&self, tick: Option<Duration>) -> Event {
        let received = match tick {
            Some(tick) => self.inbox.recv_timeout(tick),
            None => self
                .inbox
                .recv()
                .map_err(|_| RecvTimeoutError::Disconnected),
        };
        // Never disconnected: the channel holds a sender itself.
        received.unwrap_or(Event::Tick)
    }

    /// The next event already posted, without waiting.
    pub fn try_next(&self) -> Option<Event> {
        self.inbox.try_recv().ok()
    }

    /// Runs the jobs an inline worker holds ([`Worker::run_queued`]); whether any ran.
    pub fn run_queued(&self) -> bool {
        self.worker.run_queued()
    }
}
