//! Links the `trendd` binary as a position-dependent executable on Linux. A PIE build of this size
//! carries ~70,000 relative relocations that the loader applies on every start, which is most of the
//! start-up time of a short command such as `trendd fetch` from cron.
//!
//! Also sets `cfg(shared_missing)` when `../shared` (the recorded fixtures beside the checkout) is
//! absent and this is not CI: tests that read it carry
//! `#[cfg_attr(shared_missing, ignore = "needs ../shared …")]`, so `cargo test` counts them as
//! ignored, with the reason, instead of passing them silently. Under `CI=true` they always run and
//! fail loudly when `../shared` is missing.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo::rustc-check-cfg=cfg(shared_missing)");
    println!("cargo:rerun-if-env-changed=CI");
    // A missing path counts as changed on every build, so the cfg follows ../shared appearing.
    println!("cargo:rerun-if-changed=../shared/fixtures");
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let present = std::path::Path::new(&manifest)
        .join("../shared/fixtures")
        .is_dir();
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    if !present && !ci {
        println!("cargo:rustc-cfg=shared_missing");
    }
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
