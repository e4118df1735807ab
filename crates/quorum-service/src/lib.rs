//! quorum-service
