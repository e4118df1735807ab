//! quorum-web
