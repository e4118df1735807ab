//! The server on a real port, driven byte by byte: slow and surplus connections are closed,
//! and what a browser does still works.

use std::io::ErrorKind;
use std::time::Instant;

use axum::body::Body;
use axum::routing::get;
use futures::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::*;

const TIMEOUT: Duration = Duration::from_secs(1);

struct Server {
    address: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    stopped: JoinHandle<()>,
}

async fn start(limits: ServerLimits) -> Server {
    let app = Router::new()
        .route("/", get(|| async { "ok" }))
        .route(
            "/peer",
            get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.to_string() }),
        )
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_millis(300)).await;
                "done"
            }),
        )
        .route(
            "/stream",
            get(|| async {
                // Four chunks over twice the header timeout, like an events stream.
                let chunks = futures::stream::iter(0..4).then(|n| async move {
                    tokio::time::sleep(TIMEOUT / 2).await;
                    Ok::<_, std::convert::Infallible>(format!("chunk {n}\n"))
                });
                Body::from_stream(chunks)
            }),
        );
    let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = tcp.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let stopped = tokio::spawn(serve(tcp, app, limits, async {
        let _ = stopped.await;
    }));
    Server {
        address,
        stop: Some(stop),
        stopped,
    }
}

fn limits(header_read_timeout: Duration, max_connections_per_address: usize) -> ServerLimits {
    ServerLimits {
        header_read_timeout,
        max_connections_per_address,
    }
}

async fn send(stream: &mut TcpStream, path: &str) {
    let request = format!("GET {path} HTTP/1.1\r\nHost: quorum.test\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
}

/// The status and body of the next response on `stream` (Content-Length or chunked).
async fn response(stream: &mut TcpStream) -> (u16, String) {
    let read = async {
        let mut bytes = Vec::new();
        let mut buffer = [0; 4096];
        loop {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let status = head[9..12].parse().unwrap();
                let head = head.to_ascii_lowercase();
                let length = head
                    .lines()
                    .find_map(|line| line.strip_prefix("content-length:"))
                    .map(|n| n.trim().parse::<usize>().unwrap());
                match length {
                    Some(length) if body.len() >= length => return (status, body.to_owned()),
                    None if body.ends_with("0\r\n\r\n") => return (status, body.to_owned()),
                    _ => {}
                }
            }
            let n = stream.read(&mut buffer).await.unwrap();
            assert!(n > 0, "the connection closed mid-response: {text:?}");
            bytes.extend_from_slice(&buffer[..n]);
        }
    };
    tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .expect("a response within 10 s")
}

async fn get_on(stream: &mut TcpStream, path: &str) -> (u16, String) {
    send(stream, path).await;
    response(stream).await
}

/// How long the server took to close `stream`, or None if it is still open after `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buffer = [0; 1024];
    match tokio::time::timeout(within, stream.read(&mut buffer)).await {
        Err(_) => None,
        Ok(Ok(0)) => Some(started.elapsed()),
        Ok(Err(e)) if e.kind() == ErrorKind::ConnectionReset => Some(started.elapsed()),
        Ok(read) => panic!("expected the connection closed, read {read:?}"),
    }
}

/// Closed by the header timeout: not before it, and not long after.
fn timed_out(closed: Option<Duration>, waited_already: Duration) {
    let closed = closed.expect("the server still holds the connection open") + waited_already;
    assert!(
        closed >= TIMEOUT - Duration::from_millis(50) && closed < TIMEOUT * 2,
        "closed after {closed:?}"
    );
}

#[tokio::test]
async fn a_connection_that_sends_half_a_request_line_is_closed_after_the_header_read_timeout() {
    let server = start(limits(TIMEOUT, 256)).await;
    let mut client = TcpStream::connect(server.address).await.unwrap();
    client.write_all(b"GET /api/work").await.unwrap();
    timed_out(
        closed_within(&mut client, TIMEOUT * 3).await,
        Duration::ZERO,
    );
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed_after_the_header_read_timeout() {
    let server = start(limits(TIMEOUT, 256)).await;
    let mut client = TcpStream::connect(server.address).await.unwrap();
    timed_out(
        closed_within(&mut client, TIMEOUT * 3).await,
        Duration::ZERO,
    );
}

#[tokio::test]
async fn headers_sent_a_byte_at_a_time_do_not_keep_the_connection_open() {
    let server = start(limits(TIMEOUT, 256)).await;
    let mut client = TcpStream::connect(server.address).await.unwrap();
    client.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
    let started = Instant::now();
    // Each byte is progress, but the deadline is for the whole head.
    let header = b"X-Slow: ".iter().chain([b'a'; 64].iter()).cycle();
    for byte in header {
        assert!(
            started.elapsed() < TIMEOUT * 3,
            "the server still holds the connection open"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        if client.write_all(&[*byte]).await.is_err() {
            break;
        }
    }
    // A write fails only once the server's close has come back as a reset.
    let closed = started.elapsed();
    assert!(closed >= TIMEOUT && closed < TIMEOUT * 2, "{closed:?}");
}

#[tokio::test]
async fn a_kept_alive_connection_waiting_for_its_next_request_is_closed_after_the_timeout() {
    let server = start(limits(TIMEOUT, 256)).await;
    let mut client = TcpStream::connect(server.address).await.unwrap();
    assert_eq!(get_on(&mut client, "/").await, (200, "ok".into()));
    timed_out(
        closed_within(&mut client, TIMEOUT * 3).await,
        Duration::ZERO,
    );
}

#[tokio::test]
async fn a_kept_alive_connection_serves_request_after_request_and_handlers_see_the_client() {
    let server = start(limits(TIMEOUT, 256)).await;
    let mut client = TcpStream::connect(server.address).await.unwrap();
    let me = client.local_addr().unwrap().to_string();
    // The pauses add up to more than the timeout: each request gets a timeout of its own.
    for _ in 0..3 {
        assert_eq!(get_on(&mut client, "/peer").await, (200, me.clone()));
        tokio::time::sleep(TIMEOUT * 6 / 10).await;
    }
}

#[tokio::test]
async fn a_response_may_stream_for_longer_than_the_header_read_timeout() {
    let server = start(limits(TIMEOUT, 256)).await;
    let mut client = TcpStream::connect(server.address).await.unwrap();
    let started = Instant::now();
    let (status, body) = get_on(&mut client, "/stream").await;
    assert_eq!(status, 200);
    assert!(body.contains("chunk 3"), "{body:?}");
    assert!(started.elapsed() >= TIMEOUT * 2);
    assert_eq!(get_on(&mut client, "/").await, (200, "ok".into()));
}

#[tokio::test]
async fn connections_over_the_cap_per_address_are_closed_while_the_first_ones_are_served() {
    // A long timeout, so that only the cap can close a connection here.
    let server = start(limits(Duration::from_secs(30), 3)).await;
    let mut first = Vec::new();
    for _ in 0..3 {
        let mut client = TcpStream::connect(server.address).await.unwrap();
        assert_eq!(get_on(&mut client, "/").await.0, 200);
        first.push(client);
    }
    for _ in 0..2 {
        let mut extra = TcpStream::connect(server.address).await.unwrap();
        let closed = closed_within(&mut extra, Duration::from_secs(5)).await;
        assert!(
            closed.is_some_and(|after| after < Duration::from_secs(1)),
            "{closed:?}"
        );
    }
    for client in &mut first {
        assert_eq!(get_on(client, "/").await, (200, "ok".into()));
    }

    // A connection that ends gives its place back.
    drop(first.pop());
    let started = Instant::now();
    loop {
        let mut client = TcpStream::connect(server.address).await.unwrap();
        send(&mut client, "/").await;
        let mut buffer = [0; 1];
        if matches!(client.read(&mut buffer).await, Ok(1)) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "no place was given back"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn the_count_is_per_address_and_every_way_a_connection_ends_gives_its_place_back() {
    let open = OpenConnections::new(2);
    let here: IpAddr = "127.0.0.1".parse().unwrap();
    let there: IpAddr = "192.0.2.1".parse().unwrap();
    let a = open.admit(here).unwrap();
    let b = open.admit(here).unwrap();
    assert!(open.admit(here).is_none());
    assert!(
        open.admit(there).is_some(),
        "another address has its own cap"
    );
    // The same client over a dual-stack listener.
    assert!(open.admit("::ffff:127.0.0.1".parse().unwrap()).is_none());
    drop(a);
    let c = open.admit(here).unwrap();
    // A connection task that panics still gives its place back.
    let panicked = tokio::spawn(async move {
        let _slot = b;
        panic!("a handler bug");
    })
    .await;
    assert!(panicked.is_err());
    drop(c);
    assert!(open.per_address.lock().unwrap().is_empty());
}

#[tokio::test]
async fn shutdown_stops_accepting_and_lets_the_request_in_flight_finish() {
    let mut server = start(limits(Duration::from_secs(30), 256)).await;
    let mut idle = TcpStream::connect(server.address).await.unwrap();
    assert_eq!(get_on(&mut idle, "/").await.0, 200);
    let mut busy = TcpStream::connect(server.address).await.unwrap();
    send(&mut busy, "/slow").await;
    tokio::time::sleep(Duration::from_millis(100)).await;

    server.stop.take().unwrap().send(()).unwrap();
    assert_eq!(response(&mut busy).await, (200, "done".into()));
    // The idle kept-alive connection does not hold the shutdown up.
    tokio::time::timeout(Duration::from_secs(5), &mut server.stopped)
        .await
        .expect("the server stops once its request is answered")
        .unwrap();
    assert!(TcpStream::connect(server.address).await.is_err());
}

#[tokio::test]
async fn every_accepted_connection_sends_without_waiting_for_acks() {
    let mut tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let _client = TcpStream::connect(tcp.local_addr().unwrap()).await.unwrap();
    let (accepted, _) = accept(&mut tcp).await;
    assert!(accepted.nodelay().unwrap());
}
