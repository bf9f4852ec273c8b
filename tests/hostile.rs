//! Hostile and careless clients: idle connections, slow senders and
//! oversized streamed bodies must not keep the server from serving everyone
//! else.

mod common;

use std::time::{Duration, Instant};

use common::{Server, client};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const R7: &str = "/r7/api/2.0/crm/contact/1234.json";

fn address(server: &Server) -> String {
    server.base.trim_start_matches("http://").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_slow_connections_do_not_keep_others_waiting() {
    // Each connection stays on one worker: with one worker, every idle and
    // slow connection shares it with the requests that must get through.
    for workers in ["1", "3"] {
        idle_and_slow_connections_beside(&["--header-timeout", "2s", "--workers", workers]).await;
    }
}

async fn idle_and_slow_connections_beside(args: &[&str]) {
    let server = Server::start(args);
    let addr = address(&server);
    // Hundreds of connections that never send anything…
    let mut idle = Vec::new();
    for _ in 0..300 {
        idle.push(TcpStream::connect(&addr).await.expect("connect"));
    }
    // …and slow senders dribbling their headers a byte at a time.
    let mut slow = Vec::new();
    for _ in 0..30 {
        let mut stream = TcpStream::connect(&addr).await.expect("connect");
        stream
            .write_all(b"GET /r7/api/2.0/crm/contact/1234 HTTP/1.1\r\nHost: x\r\n")
            .await
            .expect("write");
        slow.push(tokio::spawn(async move {
            for _ in 0..20 {
                if stream.write_all(b"X").await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        }));
    }
    let http = client();
    for _ in 0..20 {
        let started = Instant::now();
        let reply = http.get(server.url(R7)).send().await.expect("answered");
        assert_eq!(reply.status(), 200);
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "served in {:?}",
            started.elapsed()
        );
    }
    for task in slow {
        task.abort();
    }
    drop(idle);
}

#[tokio::test]
async fn a_client_too_slow_with_its_headers_is_cut_off() {
    let server = Server::start(&["--header-timeout", "1s"]);
    let mut stream = TcpStream::connect(address(&server)).await.expect("connect");
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("write");
    let started = Instant::now();
    let mut buffer = [0u8; 1024];
    // The server gives up on the request and closes (possibly after a 408).
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the connection stayed open");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "closed after {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_streamed_body_over_the_limit_is_refused_without_reading_it_all() {
    let server = Server::start(&["--max-body", "1024"]);
    let mut stream = TcpStream::connect(address(&server)).await.expect("connect");
    stream
        .write_all(
            b"PUT /onlyoffice/api/2.0/crm/contact/1234/status.json HTTP/1.1\r\nHost: x\r\n\
              Authorization: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        )
        .await
        .expect("write head");
    // Chunks keep coming; the answer must arrive long before they end.
    let writer = tokio::spawn(async move {
        let chunk = format!("{:x}\r\n{}\r\n", 4096, "x".repeat(4096));
        for _ in 0..2048 {
            if stream.write_all(chunk.as_bytes()).await.is_err() {
                return None;
            }
            if let Ok(Ok(n)) =
                tokio::time::timeout(Duration::from_millis(1), stream.peek(&mut [0u8; 64])).await
                && n > 0
            {
                let mut head = vec![0u8; 256];
                let n = stream.read(&mut head).await.ok()?;
                return Some(String::from_utf8_lossy(&head[..n]).into_owned());
            }
        }
        None
    });
    let answer = tokio::time::timeout(Duration::from_secs(10), writer)
        .await
        .expect("answered in time")
        .expect("writer ran")
        .expect("an answer before the body ended");
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
}

#[tokio::test]
async fn a_body_sent_in_pieces_is_validated_whole() {
    let server = Server::start(&[]);
    let mut stream = TcpStream::connect(address(&server)).await.expect("connect");
    stream
        .write_all(
            b"PUT /onlyoffice/api/2.0/crm/contact/1234/status.json HTTP/1.1\r\nHost: x\r\n\
              Authorization: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        )
        .await
        .expect("write head");
    // Each piece on its own, so that the server reads them as separate
    // frames; only all of them together are a valid body.
    for piece in [r#"{"contactSta"#, r#"tusid": "#, "1234}"] {
        let chunk = format!("{:x}\r\n{piece}\r\n", piece.len());
        stream.write_all(chunk.as_bytes()).await.expect("write");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stream.write_all(b"0\r\n\r\n").await.expect("write end");
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    while !String::from_utf8_lossy(&answer).contains("\r\n\r\n") {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buffer))
            .await
            .expect("answered in time")
            .expect("read");
        assert!(n > 0, "closed after {:?}", String::from_utf8_lossy(&answer));
        answer.extend_from_slice(&buffer[..n]);
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// Sends one keep-alive GET on `stream` and reads its whole answer.
async fn get_on(stream: &mut TcpStream, path: &str, extra: &str) -> String {
    let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: t\r\n{extra}\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let n = stream.read(&mut buffer).await.expect("read");
        assert!(n > 0, "closed after {:?}", String::from_utf8_lossy(&answer));
        answer.extend_from_slice(&buffer[..n]);
        let text = String::from_utf8_lossy(&answer);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length: ")
                        .map(str::to_string)
                })
                .and_then(|l| l.trim().parse().ok())
                .expect("content-length");
            if body.len() >= length {
                return text.into_owned();
            }
        }
    }
}

#[tokio::test]
async fn a_keep_alive_connection_that_keeps_sending_requests_stays_open() {
    let server = Server::start(&["--header-timeout", "1s"]);
    let mut stream = TcpStream::connect(address(&server)).await.expect("connect");
    // Longer in all than the timeout, but never idle that long.
    for _ in 0..4 {
        let answer = get_on(&mut stream, R7, "").await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test]
async fn a_request_slower_to_answer_than_the_header_timeout_is_not_cut_off() {
    let server = Server::start(&["--header-timeout", "1s"]);
    let mut stream = TcpStream::connect(address(&server)).await.expect("connect");
    let answer = get_on(&mut stream, R7, "Prefer: delay=1500\r\n").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // The timeout starts again once the answer is handed over.
    let answer = get_on(&mut stream, R7, "").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

const STATUS: &str = "/onlyoffice/api/2.0/crm/contact/1234/status.json";

/// Sends a PUT with a body of `size` bytes written whole before anything is
/// read, as Python's `urllib` and Node's `fetch` do, then reads the answer:
/// its head and as much of its body as it announces. An error says where
/// the exchange broke.
fn put_whole_body_then_read(server: &Server, size: usize) -> Result<String, String> {
    common::put_whole_body_then_read(&address(server), STATUS, size)
}

#[test]
fn a_client_that_sends_its_whole_body_before_reading_gets_the_413() {
    let server = Server::start(&[]);
    for size in [2 << 20, 10 << 20] {
        for round in 0..3 {
            let answer = put_whole_body_then_read(&server, size)
                .unwrap_or_else(|e| panic!("{size} bytes, round {round}: {e}"));
            assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
            assert!(answer.contains("larger than the limit"), "{answer}");
        }
    }
}

#[test]
fn answers_given_without_reading_the_body_reach_a_client_that_sends_it_all_first() {
    // The rate limit and the admin API answer before any body is read: the
    // body still arriving must not turn their answer into a reset.
    let server = Server::start(&["--rate-limit", "1/60s"]);
    let first =
        common::put_whole_body_then_read(&address(&server), STATUS, 10).expect("the first request");
    assert!(!first.starts_with("HTTP/1.1 503"), "{first}");
    for round in 0..3 {
        let answer = common::put_whole_body_then_read(&address(&server), STATUS, 10 << 20)
            .unwrap_or_else(|e| panic!("rate limited, round {round}: {e}"));
        assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
        let answer =
            common::put_whole_body_then_read(&address(&server), "/__docmock/requests", 10 << 20)
                .unwrap_or_else(|e| panic!("admin, round {round}: {e}"));
        assert!(answer.starts_with("HTTP/1.1 405"), "{answer}");
    }
}

#[tokio::test]
async fn a_body_trickling_in_gets_408_once_its_total_time_is_up() {
    // A byte every 200 ms never stalls for the header timeout (which,
    // longer than the body timeout, cannot be what stops it even on a
    // machine that pauses); only the total time for a body stops it.
    let server = Server::start(&["--header-timeout", "5s", "--body-timeout", "2s"]);
    let mut stream = TcpStream::connect(address(&server)).await.expect("connect");
    stream
        .write_all(
            format!(
                "PUT {STATUS} HTTP/1.1\r\nHost: x\r\nAuthorization: t\r\n\
                 Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
            )
            .as_bytes(),
        )
        .await
        .expect("write head");
    let started = Instant::now();
    let mut answer = Vec::new();
    for _ in 0..100 {
        if stream.write_all(b" ").await.is_err() {
            break;
        }
        let mut buffer = [0u8; 1024];
        match tokio::time::timeout(Duration::from_millis(200), stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => answer.extend_from_slice(&buffer[..n]),
            Err(_) => {}
        }
        if answer.windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
    assert!(answer.contains("within 2s"), "{answer}");
    assert!(
        started.elapsed() >= Duration::from_millis(1900),
        "answered after {:?}",
        started.elapsed()
    );
}
