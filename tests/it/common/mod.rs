//! Support for the integration tests: `server` is the scripted backend (a real HTTP server on
//! 127.0.0.1:0), `process` runs the real binary (with a time limit, at a pseudo-terminal, or as
//! `taskwatch serve`) and checks what it did, and `eventually` polls for a condition instead of
//! sleeping a fixed time.

#![allow(dead_code)]

mod process;
mod server;

pub use process::*;
pub use server::*;

use std::time::{Duration, Instant};

/// Polls `condition` every 20 ms until it holds; fails the test after `limit`, saying `what`
/// was awaited. A fixed sleep before an assertion is too short on a loaded machine and too
/// long on a quiet one; this waits exactly as long as needed.
pub fn eventually(limit: Duration, what: &str, mut condition: impl FnMut() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(start.elapsed() < limit, "not within {limit:?}: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A port on 127.0.0.1 that refuses every connection for as long as this lives: a socket bound
/// to it that never listens. A port merely found free can be handed meanwhile to another test's
/// server, which then answers.
pub struct RefusingPort {
    _socket: std::os::fd::OwnedFd,
    pub port: u16,
}

pub fn refusing_port() -> RefusingPort {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    // SAFETY: a new socket, owned at once; `addr` is a sockaddr_in and `len` its size.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        assert!(fd >= 0, "socket: {}", std::io::Error::last_os_error());
        let socket = OwnedFd::from_raw_fd(fd);
        let mut addr: libc::sockaddr_in = std::mem::zeroed();
        addr.sin_family = libc::AF_INET as libc::sa_family_t;
        addr.sin_addr.s_addr = u32::from_ne_bytes([127, 0, 0, 1]);
        let mut len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        let bound = libc::bind(
            socket.as_raw_fd(),
            &addr as *const libc::sockaddr_in as *const libc::sockaddr,
            len,
        );
        assert_eq!(bound, 0, "bind: {}", std::io::Error::last_os_error());
        let named = libc::getsockname(
            socket.as_raw_fd(),
            &mut addr as *mut libc::sockaddr_in as *mut libc::sockaddr,
            &mut len,
        );
        assert_eq!(named, 0, "getsockname: {}", std::io::Error::last_os_error());
        RefusingPort {
            _socket: socket,
            port: u16::from_be(addr.sin_port),
        }
    }
}
