//! quorum-store-sqlite
