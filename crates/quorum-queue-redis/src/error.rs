//! Which Redis failures mean "try again later" (`Unavailable`) and which are faults.

use quorum_queue::QueueError;
use redis::{ErrorKind, RedisError, ServerErrorKind};

pub(crate) fn map_err(e: RedisError) -> QueueError {
    let transient = e.is_io_error()
        || e.is_connection_dropped()
        || e.is_connection_refusal()
        || e.is_timeout()
        // A busy script, a loading dataset or a failover in progress pass on their own.
        || e.code() == Some("BUSY")
        || matches!(
            e.kind(),
            ErrorKind::ClusterConnectionNotFound
                | ErrorKind::Server(
                    ServerErrorKind::BusyLoading
                        | ServerErrorKind::TryAgain
                        | ServerErrorKind::ClusterDown
                        | ServerErrorKind::MasterDown
                        | ServerErrorKind::ReadOnly
                )
        );
    if transient {
        QueueError::Unavailable(e.to_string())
    } else {
        QueueError::Other(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lost_connection_is_unavailable_and_a_bad_reply_is_not() {
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert!(matches!(map_err(reset.into()), QueueError::Unavailable(_)));
        let loading =
            RedisError::from((ErrorKind::Server(ServerErrorKind::BusyLoading), "loading"));
        assert!(matches!(map_err(loading), QueueError::Unavailable(_)));
        let bad = RedisError::from((ErrorKind::UnexpectedReturnType, "not a list"));
        assert!(matches!(map_err(bad), QueueError::Other(_)));
    }
}
