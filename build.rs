//! Tells the tests whether `../shared` (peer data, captured registry answers, the
//! corpus) is beside the repository. Without it the tests that need it are compiled
//! as ignored, so `cargo test` lists them as "ignored, needs ../shared" instead of
//! passing without having run.

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
        println!(
            "cargo::warning=../shared is absent: the tests that need it are ignored (touch build.rs once it is there)"
        );
    }
}
