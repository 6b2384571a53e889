//! `dataport serve` as separate processes on one database: replicas of one
//! portal, as a load balancer would see them, that a test can kill.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// One running `dataport serve` process.
pub struct Replica {
    pub child: Child,
    /// Where its pages and APIs answer.
    pub url: String,
    /// Its embedded S3 endpoint, when it runs one.
    pub s3_url: Option<String>,
    pub data_dir: PathBuf,
}

/// What every replica of one portal shares: the database and the audit key.
#[derive(Clone)]
pub struct Shared {
    pub database_url: String,
    pub audit_key_file: PathBuf,
}

impl Replica {
    /// Starts `dataport serve` on free loopback ports with `extra` flags;
    /// returns once it says where it listens.
    pub fn start(binary: &str, shared: &Shared, data_dir: &Path, extra: &[&str]) -> Replica {
        let mut child = Command::new(binary)
            .args(["--data-dir", data_dir.to_str().unwrap(), "serve"])
            .args(["--listen", "127.0.0.1:0", "--s3-listen", "127.0.0.1:0", "--setup-token", super::SETUP_TOKEN])
            .args(["--audit-key-file", shared.audit_key_file.to_str().unwrap()])
            .args(extra)
            .env("DATABASE_URL", &shared.database_url)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("dataport serve starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let (mut url, mut s3_url) = (None, None);
        for line in lines.by_ref() {
            let line = line.expect("dataport's output");
            if let Some(s3) = line.strip_prefix("Embedded S3 endpoint at ") {
                s3_url = s3.split_whitespace().next().map(str::to_owned);
            }
            if let Some(u) = line.strip_prefix("Dataport is running at ") {
                url = Some(u.trim().to_owned());
            }
            if line.starts_with("Data directory:") {
                break;
            }
        }
        // Keeps reading, so that a full pipe never blocks the replica.
        std::thread::spawn(move || lines.for_each(drop));
        Replica { child, url: url.expect("the replica says where it runs"), s3_url, data_dir: data_dir.to_owned() }
    }

    /// Ends the process at once, as a crash would (SIGKILL).
    pub fn kill(&mut self) {
        self.child.kill().expect("kill");
        self.child.wait().expect("reaped");
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `KEY=value` lines of `dataport s3-env` for the embedded endpoint in `data_dir`.
pub fn embedded_keys(binary: &str, data_dir: &Path) -> (String, String) {
    let out = Command::new(binary).args(["--data-dir", data_dir.to_str().unwrap(), "s3-env"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let value = |name: &str| {
        text.lines().find_map(|l| l.strip_prefix(&format!("{name}="))).expect("s3-env names the key").to_owned()
    };
    (value("AWS_ACCESS_KEY_ID"), value("AWS_SECRET_ACCESS_KEY"))
}

/// Two replicas on `shared`: the first with the embedded S3 endpoint, the
/// second pointed at that same endpoint, as two tasks behind one load
/// balancer share one S3.
pub fn pair(binary: &str, shared: &Shared, root: &Path, extra: &[&str]) -> (Replica, Replica) {
    let (dir_a, dir_b) = (root.join("a"), root.join("b"));
    for dir in [&dir_a, &dir_b] {
        std::fs::create_dir_all(dir).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    let a = Replica::start(binary, shared, &dir_a, extra);
    let s3 = a.s3_url.clone().expect("the first replica runs the embedded endpoint");
    let (key, secret) = embedded_keys(binary, &dir_a);
    let mut flags = vec!["--s3-endpoint", &s3, "--s3-access-key-id", &key, "--s3-secret-access-key", &secret];
    flags.extend_from_slice(extra);
    let b = Replica::start(binary, shared, &dir_b, &flags);
    (a, b)
}
