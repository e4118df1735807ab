//! The HTTP server: the router over TCP, with a deadline for every request's headers and a cap
//! on each client address's open connections, so that slow or numerous connections cannot hold
//! the server's sockets.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::Request;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower::ServiceExt;

/// What one client may hold open. The defaults are far above what a browser does (it sends its
/// headers at once and opens about six connections per host).
#[derive(Debug, Clone, Copy)]
pub struct ServerLimits {
    /// How long a connection may take to send a request's headers, counted from when it opens
    /// and, kept alive, from the end of its previous response. A response may stream for
    /// longer (the events stream does).
    pub header_read_timeout: Duration,
    /// Open connections per client IP address; more are closed as soon as they are accepted.
    pub max_connections_per_address: usize,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            header_read_timeout: Duration::from_secs(30),
            max_connections_per_address: 256,
        }
    }
}

/// Serves `router` on `tcp` until `shutdown` completes, then stops accepting and waits for the
/// open connections to finish their requests. Handlers can extract `ConnectInfo<SocketAddr>`.
pub async fn serve(
    mut tcp: TcpListener,
    router: Router,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()>,
) {
    // HTTP/1 only, as axum served it (the build has no h2). hyper's HTTP/1 connection arms its
    // header timer on its first read, so a connection that never sends a byte is closed too;
    // hyper-util's version-sniffing `auto` builder reads those first bytes with no timer.
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let open = OpenConnections::new(limits.max_connections_per_address);
    // Changed once, when shutting down; every connection task holds a receiver until it ends.
    let (stop, stopping) = watch::channel(());
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, client) = tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = accept(&mut tcp) => accepted,
        };
        let Some(slot) = open.admit(client.ip()) else {
            tracing::debug!(
                client = %client,
                max = limits.max_connections_per_address,
                "closing a connection: this address has too many open"
            );
            continue;
        };
        let service = router
            .clone()
            .map_request(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(client));
                request
            });
        let connection = http
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
            .with_upgrades();
        let mut stopping = stopping.clone();
        tokio::spawn(async move {
            let mut connection = std::pin::pin!(connection);
            let ended = tokio::select! {
                ended = connection.as_mut() => ended,
                // Shutting down (or the server dropped): the value changes only once.
                _ = stopping.changed() => {
                    // An idle connection closes now, a busy one after its response.
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(e) = ended {
                // A header timeout, a client gone mid-request: the client's doing, not ours.
                tracing::debug!(client = %client, error = %e, "connection closed with an error");
            }
            drop((slot, stopping));
        });
    }
    drop(tcp);
    stop.send_replace(());
    drop(stopping);
    stop.closed().await;
}

/// The next connection, with TCP_NODELAY. A response leaves as a header write and a body
/// write (site files are streamed), and with Nagle's algorithm the body waited for the
/// client's delayed ACK — about 40 ms per request on a kept-alive connection, which is how
/// browsers and the website verifier fetch pages.
async fn accept(tcp: &mut TcpListener) -> (TcpStream, SocketAddr) {
    // axum's accept retries after errors such as running out of file descriptors.
    let (stream, client) = axum::serve::Listener::accept(tcp).await;
    if let Err(e) = stream.set_nodelay(true) {
        tracing::debug!(error = %e, "could not set TCP_NODELAY on a connection");
    }
    (stream, client)
}

/// Open connections per client address.
struct OpenConnections {
    per_address: Arc<Mutex<HashMap<IpAddr, usize>>>,
    max: usize,
}

/// One admitted connection's place under its address's cap, given back when dropped, so
/// that every way a connection ends (closed, failed, panicked) lowers the count.
struct Slot {
    per_address: Arc<Mutex<HashMap<IpAddr, usize>>>,
    address: IpAddr,
}

impl OpenConnections {
    fn new(max: usize) -> Self {
        OpenConnections {
            per_address: Arc::default(),
            max,
        }
    }

    fn admit(&self, address: IpAddr) -> Option<Slot> {
        // An IPv4 client of a dual-stack listener arrives as ::ffff:a.b.c.d: one address.
        let address = address.to_canonical();
        let mut per_address = self
            .per_address
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let open = per_address.get(&address).copied().unwrap_or(0);
        if open >= self.max {
            return None;
        }
        per_address.insert(address, open + 1);
        Some(Slot {
            per_address: self.per_address.clone(),
            address,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut per_address = self
            .per_address
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(open) = per_address.get_mut(&self.address) {
            *open -= 1;
            // Addresses with nothing open are forgotten, so the map stays as small as the
            // set of clients connected now.
            if *open == 0 {
                per_address.remove(&self.address);
            }
        }
    }
}

#[cfg(test)]
mod tests;
