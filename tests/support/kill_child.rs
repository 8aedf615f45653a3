//! Crash tests: the test binary re-executes itself with an environment variable that selects a
//! writer mode; the writer saves in a tight loop and acknowledges each completed save on
//! stdout; the parent SIGKILLs it (`Child::kill`) at a random moment and reports the last save
//! acknowledged, so the test can check that nothing acknowledged was lost.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// What the writer prints after each completed save.
const ACK_PREFIX: &str = "ACK ";

/// How long a writer runs at most (if its parent died without killing it).
pub const WRITER_LIFETIME: Duration = Duration::from_secs(30);

/// In the child: the directory to write in, when this process is the writer selected by `var`.
pub fn writer_dir(var: &str) -> Option<String> {
    std::env::var(var).ok()
}

/// In the child: acknowledges that save number `n` completed.
pub fn ack(n: u64) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{ACK_PREFIX}{n}");
    let _ = stdout.flush();
}

/// Whether a writer started at `started` should stop.
pub fn writer_expired(started: Instant) -> bool {
    started.elapsed() > WRITER_LIFETIME
}

/// A small xorshift generator seeded from the clock (the seed is printed to reproduce a run).
pub struct Rng(u64);

impl Rng {
    /// Seeded from the clock.
    pub fn from_clock() -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos());
        let seed = (nanos as u64) | 1;
        eprintln!("kill test seed: {seed}");
        Rng(seed)
    }

    /// A number in `low..high`.
    pub fn below(&mut self, low: u64, high: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        low + self.0 % (high - low)
    }
}

/// Runs the test `writer_test` of this binary as a writer (`var` = `dir`), waits for at least
/// `min_acks` acknowledged saves and a random few hundred microseconds more, kills it, and
/// returns the last save it acknowledged.
pub fn run_and_kill(writer_test: &str, var: &str, dir: &Path, min_acks: u64, rng: &mut Rng) -> u64 {
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut child = Command::new(exe)
        .args(["--exact", writer_test, "--nocapture", "--test-threads", "1"])
        .env(var, dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the writer starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut last_ack = 0;
    let mut seen = 0;
    while seen < min_acks {
        let line = lines
            .next()
            .expect("the writer acknowledges saves")
            .expect("readable stdout");
        if let Some(n) = parse_ack(&line) {
            last_ack = n;
            seen += 1;
        }
    }
    std::thread::sleep(Duration::from_micros(rng.below(0, 800)));
    child.kill().expect("SIGKILL");
    child.wait().expect("the writer is reaped");
    for line in lines.map_while(Result::ok) {
        if let Some(n) = parse_ack(&line) {
            last_ack = n;
        }
    }
    last_ack
}

fn parse_ack(line: &str) -> Option<u64> {
    line.strip_prefix(ACK_PREFIX)?.trim().parse().ok()
}
