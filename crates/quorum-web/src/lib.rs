//! Quorum's HTTP API: the seed's contract to the letter, and what SPEC adds to it.

pub mod api;
mod dashboard;
mod error;
mod extract;
mod openapi;
mod router;
mod sites;

pub use error::ApiError;
pub use router::{AppState, router, router_with_openapi};

use axum::serve::{ListenerExt, TapIo};
use tokio::net::{TcpListener, TcpStream};

/// What the server accepts on: every connection with TCP_NODELAY. A response leaves as a
/// header write and a body write (site files are streamed), and with Nagle's algorithm the
/// body waited for the client's delayed ACK — about 40 ms per request on a kept-alive
/// connection, which is how browsers and the website verifier fetch pages.
pub fn listener(tcp: TcpListener) -> TapIo<TcpListener, fn(&mut TcpStream)> {
    tcp.tap_io(no_delay as fn(&mut TcpStream))
}

fn no_delay(stream: &mut TcpStream) {
    if let Err(e) = stream.set_nodelay(true) {
        tracing::debug!(error = %e, "could not set TCP_NODELAY on a connection");
    }
}

#[cfg(test)]
mod tests {
    use axum::serve::Listener;

    use super::*;

    #[tokio::test]
    async fn every_accepted_connection_sends_without_waiting_for_acks() {
        let tcp = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = tcp.local_addr().unwrap();
        let mut listener = listener(tcp);
        let _client = TcpStream::connect(address).await.unwrap();
        let (accepted, _) = listener.accept().await;
        assert!(accepted.nodelay().unwrap());
    }
}
