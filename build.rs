//! Tells the tests whether `../shared` (peer data, captured registry answers, the
//! corpus) is beside the repository. Without it the tests that need it are compiled
//! as ignored, so `cargo test` lists them as "ignored, needs ../shared" instead of
//! passing without having run. That list is where it is said: a build script
//! cannot tell a test build from `cargo build` or `cargo install`, so it warns
//! nobody (an installing user has no `../shared` and no use for the news).

fn main() {
    println!("cargo::rustc-check-cfg=cfg(no_shared)");
    println!("cargo::rerun-if-changed=build.rs");
    let shared =
        std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default()).join("../shared");
    if shared.is_dir() {
        // Present: watched, so that its removal is noticed.
        println!("cargo::rerun-if-changed=../shared");
    } else {
        println!("cargo::rustc-cfg=no_shared");
    }
}
