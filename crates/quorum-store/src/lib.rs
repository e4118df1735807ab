//! quorum-store
