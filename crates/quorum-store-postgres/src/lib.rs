//! quorum-store-postgres
