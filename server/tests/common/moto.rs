//! moto in server mode, from the project's `.venv` (made by `make`): it
//! plays STS, IAM and the S3 control plane. With a positive
//! `initial_no_auth_actions`, IAM authorization is enforced after that many
//! requests; with 0 nothing is checked.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A program of the project's virtual environment.
pub fn venv_bin(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin").join(name)
}

/// A moto server on a free loopback port, stopped when dropped.
pub struct Moto {
    child: Child,
    /// Base URL of the server.
    pub url: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start_moto(initial_no_auth_actions: u32) -> Moto {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut command = Command::new(venv_bin("moto_server"));
    command.args(["-H", "127.0.0.1", "-p", &port.to_string()]);
    // Unset means "never check": moto's default mode.
    if initial_no_auth_actions > 0 {
        command.env("INITIAL_NO_AUTH_ACTION_COUNT", initial_no_auth_actions.to_string());
    }
    let child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto_server from .venv (make test installs it)");
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(30), "moto did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    Moto { child, url: format!("http://127.0.0.1:{port}") }
}
