//! Links the `trendd` binary as a position-dependent executable on Linux. A PIE build of this size
//! carries ~70,000 relative relocations that the loader applies on every start, which is most of the
//! start-up time of a short command such as `trendd fetch` from cron.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
