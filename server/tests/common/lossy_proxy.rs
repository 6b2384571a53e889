//! A TCP proxy in front of an S3 endpoint that loses the answers to
//! CompleteMultipartUpload: it passes the request on, lets the endpoint
//! do all the work, and closes the connection instead of answering.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A running proxy.
pub struct LossyProxy {
    /// Its URL, to use as the S3 endpoint.
    pub url: String,
    /// How many answers it has lost.
    pub lost: Arc<AtomicUsize>,
}

/// Starts a proxy to `upstream` on a free loopback port.
pub async fn start(upstream: SocketAddr) -> LossyProxy {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let lost = Arc::new(AtomicUsize::new(0));
    let counter = lost.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(server) = TcpStream::connect(upstream).await else { continue };
            tokio::spawn(relay(client, server, counter.clone()));
        }
    });
    LossyProxy { url, lost }
}

/// Whether bytes from the client hold a request to complete a multipart upload.
fn completes(bytes: &[u8]) -> bool {
    bytes.split(|b| *b == b'\n').any(|line| line.starts_with(b"POST ") && line.windows(9).any(|w| w == b"uploadId="))
}

async fn relay(client: TcpStream, server: TcpStream, lost: Arc<AtomicUsize>) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let swallowing = Arc::new(AtomicBool::new(false));
    let flag = swallowing.clone();
    let requests = tokio::spawn(async move {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match client_read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if completes(&buf[..n]) {
                flag.store(true, Ordering::SeqCst);
            }
            if server_write.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
    });
    let mut buf = vec![0u8; 64 * 1024];
    let mut tail = Vec::new();
    loop {
        let n = match server_read.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if !swallowing.load(Ordering::SeqCst) {
            if client_write.write_all(&buf[..n]).await.is_err() {
                break;
            }
            continue;
        }
        // Read the whole answer, then hang up without passing it on.
        tail.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&tail);
        if text.contains("</CompleteMultipartUploadResult>") || text.contains("</Error>") {
            lost.fetch_add(1, Ordering::SeqCst);
            break;
        }
    }
    requests.abort();
}
