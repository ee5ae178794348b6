//! A deliberately small HTTP/1.1 client over `std::net::TcpStream`: every request is
//! written byte for byte (so malformed bodies, invalid UTF-8 and lying headers are
//! possible), sent with `Connection: close`, and the answer read to the end.
//!
//! [`Browser`] adds one cookie jar (the session cookie) and the CSRF token of the last
//! page, and sends state-changing requests the way Chromium does from our own pages.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::Barrier;
use std::time::Duration;

use serde_json::Value;

/// Long enough for a queue of argon2 runs on two cores.
const IO_TIMEOUT: Duration = Duration::from_secs(60);

/// The secure-mode session cookie (`CookiePolicy::SECURE_NAME`).
pub(crate) const COOKIE: &str = "__Host-shikaku";

/// One answer.
#[derive(Clone)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = self.text();
        // The message of a page, else the start of the body.
        let shown = text
            .find("role=\"alert\"")
            .map_or(&text[..text.len().min(300)], |i| {
                let rest = &text[i..];
                &rest[..rest.len().min(400)]
            });
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("location", &self.location())
            .field("body", &shown)
            .finish()
    }
}

impl Response {
    /// The first value of header `name` (case-insensitive).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of header `name`.
    pub(crate) fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub(crate) fn location(&self) -> &str {
        self.header("location").unwrap_or("")
    }

    /// The `Set-Cookie` of the session cookie, if any.
    pub(crate) fn session_set_cookie(&self) -> Option<&str> {
        self.headers_named("set-cookie")
            .find(|v| v.starts_with(&format!("{COOKIE}=")))
    }

    /// The CSRF token of the page's forms.
    pub(crate) fn csrf(&self) -> Option<String> {
        let html = self.text();
        let marker = "name=\"csrf_token\" value=\"";
        let start = html.find(marker)? + marker.len();
        let end = html[start..].find('"')? + start;
        Some(html[start..end].to_owned())
    }

    /// The `data-copy` setup key on [Authenticator 登録].
    pub(crate) fn setup_key(&self) -> Option<String> {
        let html = self.text();
        let marker = "data-copy=\"";
        let start = html.find(marker)? + marker.len();
        let end = html[start..].find('"')? + start;
        Some(html[start..end].to_owned())
    }

    /// The redirect target, asserting a 303.
    #[track_caller]
    pub(crate) fn redirect(&self) -> &str {
        assert_eq!(self.status, 303, "expected a redirect, got {}", self.text());
        self.location()
    }

    #[track_caller]
    pub(crate) fn assert_page(&self, needle: &str) {
        assert_eq!(
            self.status,
            200,
            "expected a page with {needle:?}, got {} → {} {}",
            self.status,
            self.location(),
            self.text()
        );
        assert!(
            self.text().contains(needle),
            "{needle:?} not in the page: {}",
            self.text()
        );
    }
}

/// A raw request: method, target, extra headers and body. `Host` and
/// `Connection: close` are always added; `Content-Length` unless a header sets
/// `Transfer-Encoding` or `Content-Length` itself.
pub(crate) fn request_bytes(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Vec<u8> {
    request_bytes_to(&addr.to_string(), method, target, headers, body)
}

/// [`request_bytes`] with any `Host` (a name that resolves to the server, as a
/// rebinding page's does).
pub(crate) fn request_bytes_to(
    host: &str,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Vec<u8> {
    let mut out = format!("{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    let framed = headers.iter().any(|(k, _)| {
        k.eq_ignore_ascii_case("content-length") || k.eq_ignore_ascii_case("transfer-encoding")
    });
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    if !framed && (!body.is_empty() || method != "GET") {
        out.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect {addr}: {e}"));
    stream.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    stream.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
    stream.set_nodelay(true).unwrap();
    stream
}

/// Sends `bytes` and reads the whole answer.
pub(crate) fn send(addr: SocketAddr, bytes: &[u8]) -> Response {
    let mut stream = connect(addr);
    match stream.write_all(bytes) {
        Ok(()) => {}
        // An oversized request may be answered (413) and the connection closed before
        // all of it is written; the answer is already on its way, so read it.
        Err(e) if matches!(e.kind(), ErrorKind::BrokenPipe | ErrorKind::ConnectionReset) => {}
        Err(e) => panic!("write request: {e}"),
    }
    read_response(&mut stream)
}

/// Sends all of `bytes` but the last one, waits at `barrier`, then sends the last byte:
/// the requests of every thread at the barrier arrive complete at the same moment.
pub(crate) fn send_at_once(addr: SocketAddr, bytes: &[u8], barrier: &Barrier) -> Response {
    let mut stream = connect(addr);
    let (head, last) = bytes.split_at(bytes.len() - 1);
    stream.write_all(head).expect("write request");
    stream.flush().unwrap();
    barrier.wait();
    stream.write_all(last).expect("write last byte");
    read_response(&mut stream)
}

/// Sends the head, then streams `body` in 64 KiB pieces while reading the answer;
/// returns the answer and how many body bytes were written before the server
/// stopped taking them (the kernel's buffers included).
pub(crate) fn send_streaming(addr: SocketAddr, head: &[u8], body: Vec<u8>) -> (Response, usize) {
    let mut stream = connect(addr);
    stream.write_all(head).expect("write head");
    let mut writer = stream.try_clone().unwrap();
    writer
        .set_write_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let sender = std::thread::spawn(move || {
        let mut sent = 0;
        for piece in body.chunks(64 * 1024) {
            if writer.write_all(piece).is_err() {
                break;
            }
            sent += piece.len();
        }
        sent
    });
    let response = read_response(&mut stream);
    let _ = stream.shutdown(Shutdown::Both);
    let sent = sender.join().unwrap();
    (response, sent)
}

/// Sends only the head of a request (its body never comes) and reads the answer.
pub(crate) fn send_head_only(addr: SocketAddr, head: &[u8]) -> Response {
    let mut stream = connect(addr);
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(head).expect("write head");
    read_response(&mut stream)
}

/// Chunked transfer framing of `data` in pieces of `piece` bytes.
pub(crate) fn chunked(data: &[u8], piece: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / piece * 8 + 8);
    for c in data.chunks(piece) {
        out.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
        out.extend_from_slice(c);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

fn read_response(stream: &mut TcpStream) -> Response {
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            // The server may reset the connection after answering early (413 before the
            // body was read); what arrived before the reset is the answer.
            Err(e) if e.kind() == ErrorKind::ConnectionReset && !raw.is_empty() => break,
            Err(e) => panic!("read response: {e} (got {} bytes)", raw.len()),
        }
    }
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> Response {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(raw)));
    let head = std::str::from_utf8(&raw[..split]).expect("ASCII head");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let rest = &raw[split + 4..];
    let is_chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    let body = if is_chunked {
        dechunk(rest)
    } else {
        let len = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse::<usize>().ok())
            .unwrap_or(rest.len());
        rest[..len.min(rest.len())].to_vec()
    };
    Response {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size_text = std::str::from_utf8(&data[..eol]).unwrap_or("0");
        let size =
            usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).unwrap_or(0);
        data = &data[eol + 2..];
        if size == 0 || data.len() < size {
            break;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[(size + 2).min(data.len())..];
    }
    out
}

/// `application/x-www-form-urlencoded`, every byte outside the unreserved set escaped.
pub(crate) fn form_encode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", escape(k.as_bytes()), escape(v.as_bytes())))
        .collect::<Vec<_>>()
        .join("&")
}

pub(crate) fn escape(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// One browser: the session cookie as it holds it, and the CSRF token of the last page.
#[derive(Clone, Debug)]
pub(crate) struct Browser {
    pub(crate) addr: SocketAddr,
    pub(crate) cookie: Option<String>,
    pub(crate) csrf: Option<String>,
}

impl Browser {
    pub(crate) fn new(addr: SocketAddr) -> Self {
        Self {
            addr,
            cookie: None,
            csrf: None,
        }
    }

    fn cookie_header(&self) -> Option<String> {
        self.cookie.as_ref().map(|c| format!("{COOKIE}={c}"))
    }

    /// Takes what a browser would from an answer: the session cookie and the page's token.
    pub(crate) fn absorb(&mut self, response: &Response) {
        if let Some(set) = response.session_set_cookie() {
            let value = set.split(';').next().unwrap()[COOKIE.len() + 1..].to_owned();
            self.cookie = if set.contains("Max-Age=0") {
                None
            } else {
                Some(value)
            };
        }
        if let Some(token) = response.csrf() {
            self.csrf = Some(token);
        }
    }

    pub(crate) fn get(&mut self, target: &str) -> Response {
        let cookie = self.cookie_header();
        let mut headers = vec![("Sec-Fetch-Site", "same-origin")];
        if let Some(c) = &cookie {
            headers.push(("Cookie", c.as_str()));
        }
        let response = send(
            self.addr,
            &request_bytes(self.addr, "GET", target, &headers, b""),
        );
        self.absorb(&response);
        response
    }

    /// The bytes of a same-origin form post carrying the page's CSRF token, as
    /// Chromium sends it from our page.
    pub(crate) fn form_bytes(&self, target: &str, fields: &[(&str, &str)]) -> Vec<u8> {
        let mut all: Vec<(&str, &str)> = Vec::new();
        if let Some(t) = &self.csrf {
            all.push(("csrf_token", t.as_str()));
        }
        all.extend_from_slice(fields);
        self.raw_post_bytes(
            target,
            "application/x-www-form-urlencoded",
            form_encode(&all).as_bytes(),
        )
    }

    /// A same-origin post of an arbitrary body (no token added).
    pub(crate) fn raw_post_bytes(&self, target: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
        let cookie = self.cookie_header();
        let origin = format!("http://{}", self.addr);
        let mut headers = vec![
            ("Content-Type", content_type),
            ("Origin", origin.as_str()),
            ("Sec-Fetch-Site", "same-origin"),
        ];
        if let Some(c) = &cookie {
            headers.push(("Cookie", c.as_str()));
        }
        request_bytes(self.addr, "POST", target, &headers, body)
    }

    pub(crate) fn post(&mut self, target: &str, fields: &[(&str, &str)]) -> Response {
        let response = send(self.addr, &self.form_bytes(target, fields));
        self.absorb(&response);
        response
    }

    /// Follows a 303 with a GET.
    pub(crate) fn follow(&mut self, response: &Response) -> Response {
        let to = response.redirect().to_owned();
        self.get(&to)
    }
}

/// The bytes of one JSON API call: optional bearer token, optional body.
pub(crate) fn call_bytes(
    addr: SocketAddr,
    method: &str,
    path: &str,
    bearer: Option<&str>,
    body: Option<&Value>,
) -> Vec<u8> {
    let auth = bearer.map(|t| format!("Bearer {t}"));
    let mut headers = vec![("Accept", "application/json")];
    if let Some(a) = &auth {
        headers.push(("Authorization", a.as_str()));
    }
    let bytes = body
        .map(|b| serde_json::to_vec(b).expect("JSON body"))
        .unwrap_or_default();
    if body.is_some() {
        headers.push(("Content-Type", "application/json"));
    }
    request_bytes(addr, method, path, &headers, &bytes)
}

/// One JSON API call that must be answered.
pub(crate) fn call(
    addr: SocketAddr,
    method: &str,
    path: &str,
    bearer: Option<&str>,
    body: Option<&Value>,
) -> Response {
    send(addr, &call_bytes(addr, method, path, bearer, body))
}

/// The error code of a JSON error answer, asserting its status and a message.
#[track_caller]
pub(crate) fn error_of(r: &Response, status: u16) -> String {
    assert_eq!(r.status, status, "{}", r.text());
    assert!(
        r.header("content-type")
            .is_some_and(|c| c.starts_with("application/json")),
        "not JSON: {:?} {}",
        r.headers,
        r.text()
    );
    let body = r.json();
    let message = body["message"].as_str().unwrap_or("");
    assert!(!message.is_empty(), "no message: {body}");
    body["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code: {body}"))
        .to_owned()
}

/// One request to send at the barrier: the node's browser (for its cookie and token)
/// and the bytes.
pub(crate) type Shot = (Browser, Vec<u8>);

/// Sends every request so that they all arrive at the same moment (each held one byte
/// short at a barrier, on its own thread); the answers in the same order.
pub(crate) fn all_at_once(shots: Vec<Shot>) -> Vec<(Browser, Response)> {
    let barrier = Barrier::new(shots.len());
    std::thread::scope(|s| {
        let handles: Vec<_> = shots
            .into_iter()
            .map(|(mut b, bytes)| {
                let barrier = &barrier;
                s.spawn(move || {
                    let r = send_at_once(b.addr, &bytes, barrier);
                    b.absorb(&r);
                    (b, r)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a request thread panicked"))
            .collect()
    })
}
