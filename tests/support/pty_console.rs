//! Test helper: the real `schemagate` binary in a pseudo-terminal, its screen read back through
//! a terminal emulator. Every wait is bounded and only asks "does this eventually appear": a
//! failure names the step and shows the screen, and the child is killed on every path so
//! `cargo test` never hangs.
// Each test crate uses a part of this helper.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, ExitStatus, MasterPty, PtySize, native_pty_system};
use schemagate::config::CONFIG_DIR_ENV;
use schemagate::github::cache::CACHE_DIR_ENV;

/// Terminal rows.
pub const ROWS: u16 = 40;
/// Terminal columns.
pub const COLS: u16 = 120;
/// The longest wait for one step (generous: the machine may be loaded).
pub const STEP_TIMEOUT: Duration = Duration::from_secs(20);
/// The pause between two looks at the screen.
pub const POLL: Duration = Duration::from_millis(50);
/// The reviewer name the console records (it reads `USER`).
pub const REVIEWER: &str = "e2e-reviewer";
/// The demo PRs that carry a CRITICAL finding; the queue lists one of them first.
pub const RISKIEST_PRS: [u64; 2] = [104, 108];
/// A ticked checklist box as the checklist pane draws it.
pub const TICKED_BOX: &str = "[x]";

/// Keys as the terminal sends them.
pub mod key {
    /// Open / confirm / close.
    pub const ENTER: &[u8] = b"\r";
    /// Back (sent alone, then waited on, so it is never read as the start of a sequence).
    pub const ESC: &[u8] = b"\x1b";
    /// Next pane.
    pub const TAB: &[u8] = b"\t";
    /// Tick the checklist item.
    pub const SPACE: &[u8] = b" ";
    /// Next item / next choice.
    pub const DOWN: &[u8] = b"j";
    /// Open the verdict dialog.
    pub const VERDICT: &[u8] = b"v";
    /// Record the verdict.
    pub const YES: &[u8] = b"y";
    /// Quit.
    pub const QUIT: &[u8] = b"q";
}

/// The demo console running in a pseudo-terminal, killed when dropped if still running.
pub struct Console {
    /// The `schemagate demo` process.
    child: Box<dyn Child + Send + Sync>,
    /// Keys go here.
    keys: Box<dyn Write + Send>,
    /// The screen as the terminal would show it, fed by a reader thread.
    screen: Arc<Mutex<vt100::Parser>>,
    /// Kept open so the reader sees the child's output until it exits.
    _master: Box<dyn MasterPty + Send>,
}

impl Console {
    /// Starts `schemagate demo` with `data_dir` as its data directory.
    pub fn start(data_dir: &Path) -> Console {
        Console::start_with(&["demo"], data_dir)
    }

    /// Starts `schemagate ARGS...` with `data_dir` as its data directory.
    pub fn start_with(args: &[&str], data_dir: &Path) -> Console {
        Console::start_with_env(args, data_dir, &[])
    }

    /// [`Console::start_with`] with extra environment variables.
    pub fn start_with_env(args: &[&str], data_dir: &Path, env: &[(&str, &str)]) -> Console {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pseudo-terminal");
        let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_schemagate"));
        command.args(args);
        command.env("SCHEMAGATE_DATA_DIR", data_dir);
        command.env("TERM", "xterm-256color");
        command.env("NO_COLOR", "1");
        command.env(CONFIG_DIR_ENV, data_dir.join("config"));
        // Hermetic: never the user's download cache (`env` may name another).
        command.env(CACHE_DIR_ENV, data_dir.join("cache"));
        command.env("USER", REVIEWER);
        for (name, value) in env {
            command.env(name, value);
        }
        let child = pair.slave.spawn_command(command).expect("spawn schemagate");
        // Only the child holds the terminal side now: its exit ends the reader's stream.
        drop(pair.slave);
        let screen = Arc::new(Mutex::new(vt100::Parser::new(ROWS, COLS, 0)));
        let output = pair.master.try_clone_reader().expect("pty reader");
        spawn_screen_feeder(output, Arc::clone(&screen));
        let keys = pair.master.take_writer().expect("pty writer");
        Console {
            child,
            keys,
            screen,
            _master: pair.master,
        }
    }

    /// Sends `bytes` as typed keys.
    pub fn press(&mut self, bytes: &[u8]) {
        self.keys.write_all(bytes).expect("send keys");
        self.keys.flush().expect("flush keys");
    }

    /// The screen's text now.
    pub fn contents(&self) -> String {
        lock(&self.screen).screen().contents()
    }

    /// Waits until the screen satisfies `ready` and returns it; fails naming `step` otherwise.
    pub fn wait_for(&self, step: &str, ready: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let contents = self.contents();
            if ready(&contents) {
                return contents;
            }
            if start.elapsed() > STEP_TIMEOUT {
                panic!("step '{step}' did not happen in {STEP_TIMEOUT:?}; screen:\n{contents}");
            }
            thread::sleep(POLL);
        }
    }

    /// Waits until `text` is on the screen and returns the screen.
    pub fn wait_for_text(&self, text: &str) -> String {
        self.wait_for(&format!("show {text:?}"), |screen| screen.contains(text))
    }

    /// Waits for the process to exit; fails with the last screen otherwise.
    pub fn wait_exit(&mut self) -> ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("poll the child") {
                return status;
            }
            if start.elapsed() > STEP_TIMEOUT {
                panic!(
                    "schemagate did not exit in {STEP_TIMEOUT:?}; screen:\n{}",
                    self.contents()
                );
            }
            thread::sleep(POLL);
        }
    }
}

impl Console {
    /// Kills the process with SIGKILL (no chance to clean up, as a crash) and reaps it.
    pub fn kill_hard(&mut self) {
        let pid = self.child.process_id().expect("the child's process id");
        let killed = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status()
            .expect("run kill");
        assert!(killed.success(), "kill -KILL {pid}: {killed:?}");
        let status = self.wait_exit();
        assert!(!status.success(), "killed, yet {status:?}");
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            // Best effort: the test is failing already, and a kill failure means it is gone.
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Feeds everything the child writes into `screen`, on a thread that ends with the stream.
fn spawn_screen_feeder(mut output: Box<dyn Read + Send>, screen: Arc<Mutex<vt100::Parser>>) {
    thread::spawn(move || {
        let mut buffer = [0u8; 8192];
        // Ends at EOF or at the error the pty gives once the child has exited.
        while let Ok(read @ 1..) = output.read(&mut buffer) {
            if let Some(bytes) = buffer.get(..read) {
                lock(&screen).process(bytes);
            }
        }
    });
}

/// The parser, even if a panicking thread poisoned its lock (the screen is still readable).
fn lock(screen: &Mutex<vt100::Parser>) -> MutexGuard<'_, vt100::Parser> {
    screen.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The PR number in the review screen's title bar (`schemagate · owner/name #N title`).
pub fn title_pr(screen: &str) -> Option<u64> {
    screen
        .lines()
        .next()?
        .split_whitespace()
        .find_map(|word| word.strip_prefix('#')?.parse().ok())
}

/// Opens the first PR of the queue and returns its number, checking it is a riskiest one.
pub fn open_first_pr(console: &mut Console) -> u64 {
    console.wait_for_text("Open PRs");
    console.press(key::ENTER);
    let review = console.wait_for("open the first PR", |screen| {
        screen.contains("Checklist") && title_pr(screen).is_some()
    });
    let pr = title_pr(&review).expect("the wait checked the title's PR number");
    assert!(
        RISKIEST_PRS.contains(&pr),
        "opened #{pr}, not one of the riskiest {RISKIEST_PRS:?}; screen:\n{review}"
    );
    pr
}
