//! What the binary's test files share: a free port and a child process that dies with its
//! owner.

use std::net::TcpListener;
use std::process::Child;

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `quorum` process, killed with SIGKILL when dropped.
pub struct Process(pub Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
