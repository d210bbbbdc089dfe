//! A small HTTP server on 127.0.0.1 running the real `git http-backend` (git's own smart-HTTP
//! CGI program) for the repositories under a folder, behind HTTP Basic authentication with one
//! access token, as a git hosting service over HTTPS asks for one. It reads request bodies sent
//! with a length or in chunks, answers `Expect: 100-continue`, and logs every request.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use base64::Engine;

/// The server: its port, and a line per request (`METHOD PATH STATUS`, and ` chunked` for a
/// body sent in chunks).
#[derive(Debug)]
pub struct GitHttp {
    pub port: u16,
    log: Arc<Mutex<Vec<String>>>,
}

impl GitHttp {
    /// Serve the repositories under `root`, to `user` with password `token` only.
    pub fn start(root: &Path, user: &str, token: &str) -> GitHttp {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("address").port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let expected = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{token}"))
        );
        let root = root.to_path_buf();
        let shared = log.clone();
        // The thread ends with the test process: a blocked accept costs nothing.
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (root, expected, log) = (root.clone(), expected.clone(), shared.clone());
                std::thread::spawn(move || {
                    if let Err(e) = serve(stream, &root, &expected, &log) {
                        log.lock().expect("log").push(format!("error {e}"));
                    }
                });
            }
        });
        GitHttp { port, log }
    }

    /// Every request so far, `METHOD PATH STATUS`.
    pub fn requests(&self) -> Vec<String> {
        self.log.lock().expect("log").clone()
    }
}

fn serve(
    stream: TcpStream,
    root: &Path,
    expected: &str,
    log: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut r = BufReader::new(stream);
    let mut line = String::new();
    r.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let (method, target) = (
        parts.next().unwrap_or_default().to_string(),
        parts.next().unwrap_or_default().to_string(),
    );
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if r.read_line(&mut h)? == 0 || h.trim_end().is_empty() {
            break;
        }
        if let Some((k, v)) = h.trim_end().split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    if header("authorization").as_deref() != Some(expected) {
        log.lock()
            .expect("log")
            .push(format!("{method} {path} 401"));
        return out.write_all(
            b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"git\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
    }
    if header("expect").is_some_and(|e| e.eq_ignore_ascii_case("100-continue")) {
        out.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }
    let in_chunks = header("transfer-encoding").is_some_and(|t| t.contains("chunked"));
    let body = if in_chunks {
        chunked(&mut r)?
    } else {
        let n: usize = header("content-length")
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let mut b = vec![0; n];
        r.read_exact(&mut b)?;
        b
    };
    let mut cgi = Command::new("git");
    cgi.arg("http-backend")
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("GATEWAY_INTERFACE", "CGI/1.1")
        .env("SERVER_PROTOCOL", "HTTP/1.1")
        .env("REQUEST_METHOD", &method)
        .env("PATH_INFO", path)
        .env("QUERY_STRING", query)
        .env("REMOTE_USER", "relm-test")
        .env("REMOTE_ADDR", "127.0.0.1")
        .env("CONTENT_LENGTH", body.len().to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (name, var) in [
        ("content-type", "CONTENT_TYPE"),
        ("content-encoding", "HTTP_CONTENT_ENCODING"),
        ("git-protocol", "HTTP_GIT_PROTOCOL"),
    ] {
        if let Some(v) = header(name) {
            cgi.env(var, v);
        }
    }
    let mut child = cgi.spawn()?;
    let mut stdin = child.stdin.take().expect("stdin");
    let feeder = std::thread::spawn(move || stdin.write_all(&body));
    let answer = child.wait_with_output()?;
    let _ = feeder.join();
    let raw = answer.stdout;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, i + 4))
        .or_else(|| {
            raw.windows(2)
                .position(|w| w == b"\n\n")
                .map(|i| (i, i + 2))
        })
        .unwrap_or((0, 0));
    let head = String::from_utf8_lossy(&raw[..split.0]).to_string();
    let mut status = "200 OK".to_string();
    let mut kept = String::new();
    for h in head.lines() {
        match h.split_once(':') {
            Some((k, v)) if k.eq_ignore_ascii_case("status") => status = v.trim().to_string(),
            Some(_) => kept.push_str(&format!("{}\r\n", h.trim_end())),
            None => {}
        }
    }
    let payload = &raw[split.1..];
    log.lock().expect("log").push(format!(
        "{method} {path} {}{}",
        status.split(' ').next().unwrap_or(""),
        if in_chunks { " chunked" } else { "" }
    ));
    out.write_all(
        format!(
            "HTTP/1.1 {status}\r\n{kept}Content-Length: {}\r\nConnection: close\r\n\r\n",
            payload.len()
        )
        .as_bytes(),
    )?;
    out.write_all(payload)
}

/// A chunked request body, decoded.
fn chunked(r: &mut impl BufRead) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut size = String::new();
        r.read_line(&mut size)?;
        let n = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        if n == 0 {
            // Trailers, up to the empty line.
            loop {
                let mut t = String::new();
                if r.read_line(&mut t)? == 0 || t.trim_end().is_empty() {
                    return Ok(body);
                }
            }
        }
        let start = body.len();
        body.resize(start + n, 0);
        r.read_exact(&mut body[start..])?;
        let mut crlf = [0; 2];
        r.read_exact(&mut crlf)?;
    }
}
