//! A proxy in front of a mock GitHub that cuts the connection after a request went out: it
//! forwards every request to the mock (which records it and answers), and for the first
//! `cuts` requests matching a method and path it closes the client's connection instead of
//! passing the answer back. The client then sees what a connection reset after the request
//! body was sent looks like, while the server did the work (e.g. created the review).
//!
//! One request per connection (`Connection: close` both ways), plain blocking threads.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A running proxy; it lives as long as the test process.
pub struct CuttingProxy {
    /// `http://127.0.0.1:PORT`.
    pub uri: String,
    /// How many matching requests came so far (the first `cuts` were cut).
    matched: Arc<AtomicUsize>,
}

impl CuttingProxy {
    /// Forwards to `upstream` (`http://127.0.0.1:PORT`), cutting the answers to the first
    /// `cuts` requests whose request line starts with `method path` (path without query).
    pub fn start(upstream: &str, method: &str, path: &str, cuts: usize) -> CuttingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let uri = format!("http://{}", listener.local_addr().unwrap());
        let upstream = upstream.trim_start_matches("http://").to_owned();
        let target = format!("{method} {path}");
        let matched = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&matched);
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (upstream, target, counter) =
                    (upstream.clone(), target.clone(), Arc::clone(&counter));
                std::thread::spawn(move || serve(client, &upstream, &target, cuts, &counter));
            }
        });
        CuttingProxy { uri, matched }
    }

    /// How many matching requests came (cut or not).
    pub fn matched(&self) -> usize {
        self.matched.load(Ordering::SeqCst)
    }
}

/// One request of `client`: forwarded, and answered unless it is a `target` to cut.
fn serve(mut client: TcpStream, upstream: &str, target: &str, cuts: usize, matched: &AtomicUsize) {
    let Some(request) = read_request(&mut client) else {
        return;
    };
    let line_end = request.iter().position(|&b| b == b'\r').unwrap_or(0);
    let line = String::from_utf8_lossy(&request[..line_end]).into_owned();
    let matches =
        line.starts_with(&format!("{target} ")) || line.starts_with(&format!("{target}?"));
    let mut server = TcpStream::connect(upstream).unwrap();
    server.write_all(&with_connection_close(&request)).unwrap();
    let mut answer = Vec::new();
    let _ = server.read_to_end(&mut answer);
    if matches && matched.fetch_add(1, Ordering::SeqCst) < cuts {
        let _ = client.shutdown(Shutdown::Both);
        return;
    }
    let _ = client.write_all(&answer);
    let _ = client.shutdown(Shutdown::Both);
}

/// The request's head and body (by `Content-Length`), or `None` when the client went away.
fn read_request(client: &mut TcpStream) -> Option<Vec<u8>> {
    let mut bytes = Vec::new();
    let mut buffer = [0_u8; 8192];
    loop {
        if let Some(end) = find(&bytes, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&bytes[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if bytes.len() >= end + 4 + length {
                return Some(bytes);
            }
        }
        let read = client.read(&mut buffer).ok()?;
        if read == 0 {
            return None;
        }
        bytes.extend_from_slice(&buffer[..read]);
    }
}

/// `request` with its `Connection` header replaced by `Connection: close`.
fn with_connection_close(request: &[u8]) -> Vec<u8> {
    let end = find(request, b"\r\n\r\n").unwrap_or(request.len());
    let head = String::from_utf8_lossy(&request[..end]);
    let mut out = String::new();
    for line in head.split("\r\n") {
        if !line.to_ascii_lowercase().starts_with("connection:") {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str("connection: close\r\n\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(request.get(end + 4..).unwrap_or(&[]));
    bytes
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
