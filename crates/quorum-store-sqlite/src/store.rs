//! `impl Store for SqliteStore`: every call becomes one closure on a connection's thread (the
//! writer for writes, a reader for reads), which carries its arguments there and lends them to
//! the module function named in `quorum_store::impl_store!`.

use quorum_store::{NewTypeVersion, StoreResult};

use crate::*;

/// An argument made owned, to travel to a connection's thread with its call.
trait Carry {
    type Owned: Send + 'static;
    fn carry(self) -> Self::Owned;
}

/// What a carried argument lends the module function: the type it had in the call (`Out`).
trait Lend<'a, Out> {
    fn lend(&'a self) -> Out;
}

impl<T: ?Sized + ToOwned> Carry for &T
where
    T::Owned: Send + 'static,
{
    type Owned = T::Owned;
    fn carry(self) -> T::Owned {
        self.to_owned()
    }
}

impl<'a, T> Lend<'a, &'a T> for T {
    fn lend(&'a self) -> &'a T {
        self
    }
}

impl<'a> Lend<'a, &'a str> for String {
    fn lend(&'a self) -> &'a str {
        self
    }
}

impl<'a, T> Lend<'a, &'a [T]> for Vec<T> {
    fn lend(&'a self) -> &'a [T] {
        self
    }
}

impl Carry for Option<&str> {
    type Owned = Option<String>;
    fn carry(self) -> Option<String> {
        self.map(str::to_owned)
    }
}

impl<'a> Lend<'a, Option<&'a str>> for Option<String> {
    fn lend(&'a self) -> Option<&'a str> {
        self.as_deref()
    }
}

/// Arguments passed by value: carried and lent as copies.
macro_rules! by_value {
    ($($t:ty),*) => {
        $(impl Carry for $t {
            type Owned = $t;
            fn carry(self) -> $t {
                self
            }
        }

        impl Lend<'_, $t> for $t {
            fn lend(&self) -> $t {
                self.clone()
            }
        })*
    };
}

by_value!(
    i64,
    Option<i64>,
    chrono::DateTime<chrono::Utc>,
    chrono::Duration,
    NewTypeVersion,
    quorum_store::QueueOrder
);

/// A call as one closure on the connection its mode names, carrying its arguments there.
macro_rules! on_connection {
    ($store:ident, $mode:ident, $module:ident::$function:ident, $($arg:ident),*) => {{
        $(let $arg = Carry::carry($arg);)*
        $store.db.$mode(move |tx| $module::$function(tx, $(Lend::lend(&$arg)),*)).await
    }};
}

quorum_store::impl_store!(SqliteStore, on_connection, {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn migrate(&self) -> StoreResult<()> {
        self.db.with_writer(migrations::run).await
    }

    async fn ping(&self) -> StoreResult<()> {
        let round_trip =
            |conn: &rusqlite::Connection| Ok(conn.query_row("SELECT 1", [], |_| Ok(()))?);
        self.db.read(round_trip).await
    }
});
