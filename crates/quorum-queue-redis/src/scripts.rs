//! The Lua scripts, one per atomic operation, each with the shared prelude and the functions it
//! calls in front (claiming and acknowledging are functions, as one script does both). They
//! live as files in `lua/` so they read as Lua; `redis::Script` runs them by EVALSHA and loads
//! them on a server that does not know them yet.

use std::sync::LazyLock;

use redis::Script;

macro_rules! lua {
    ($($file:literal),+) => {
        Script::new(concat!(
            include_str!("../lua/prelude.lua"),
            $(include_str!(concat!("../lua/", $file))),+
        ))
    };
}

pub(crate) struct Scripts {
    pub enqueue: Script,
    pub claim: Script,
    pub renew: Script,
    pub ack: Script,
    pub ack_and_claim: Script,
    pub release: Script,
    pub depth: Script,
}

pub(crate) static SCRIPTS: LazyLock<Scripts> = LazyLock::new(|| Scripts {
    enqueue: lua!("enqueue.lua"),
    claim: lua!("claiming.lua", "claim.lua"),
    renew: lua!("renew.lua"),
    ack: lua!("acking.lua", "ack.lua"),
    ack_and_claim: lua!("acking.lua", "claiming.lua", "ack_and_claim.lua"),
    release: lua!("release.lua"),
    depth: lua!("depth.lua"),
});
