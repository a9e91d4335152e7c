//! neurone on ARM64: the library passes its own tests there (its kernels, NEON's and the
//! portable ones, held to the fused chain bit for bit), and the same seed trains the same
//! tensors there, bit for bit, as on this machine. The aarch64 binaries are cross-built with
//! Debian's toolchain (`scripts/arm-env.sh` installs it on first use) into `target/aarch64`, and
//! run under qemu's user-mode emulation (correctness only: nothing is timed there).
//!
//! Without the toolchain the test is skipped with a message; under `CI=true` it fails instead,
//! so CI can never pass without having checked ARM64.

#![cfg(target_arch = "x86_64")]

use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "aarch64-unknown-linux-gnu";

/// How aarch64 programs are run on this machine: qemu, through the cross C library's dynamic
/// loader. (With `qemu-aarch64 -L /usr/aarch64-linux-gnu`, qemu 7.2 and Debian 12's glibc, a
/// program hangs in `pthread_create`, and the command line starts a thread for Ctrl-C.)
const RUNNER: [&str; 4] = [
    "qemu-aarch64",
    "/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1",
    "--library-path",
    "/usr/aarch64-linux-gnu/lib",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Debian's cargo and rustc set up for the aarch64 target (its own target folder, since this
/// rustc is not rustup's), once `scripts/arm-env.sh` has installed them; `None` (skip) when it
/// cannot, which fails the test under `CI=true`.
fn cross_cargo(test: &str, arguments: &[&str]) -> Option<Command> {
    let installed = Command::new("bash").arg(root().join("scripts/arm-env.sh")).status();
    if !installed.as_ref().is_ok_and(|status| status.success()) {
        let message = format!("{test}: the aarch64 cross toolchain could not be installed ({installed:?})");
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{message}; CI must run this test");
        eprintln!("skipped {message}");
        return None;
    }
    let mut cargo = Command::new("/usr/bin/cargo");
    cargo
        .args(arguments)
        .args(["--release", "--target", TARGET, "--target-dir"])
        .arg(root().join("target/aarch64"))
        .current_dir(root())
        .env("RUSTC", "/usr/bin/rustc")
        .env("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER", "aarch64-linux-gnu-gcc")
        .env("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER", RUNNER.join(" "));
    Some(cargo)
}

/// Runs `command`, failing the test with its output when it fails.
fn succeed(mut command: Command, what: &str) {
    let output = command.output().unwrap_or_else(|error| panic!("{what}: {error}"));
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The tensors' bytes of a safetensors file: what follows its header (whose metadata holds the
/// training's duration, which differs from run to run).
fn tensors(file: &[u8]) -> Vec<u8> {
    let header = u64::from_le_bytes(file[..8].try_into().unwrap()) as usize;
    file[8 + header..].to_vec()
}

#[test]
fn the_library_passes_its_tests_on_aarch64() {
    let Some(mut cargo) = cross_cargo("the library's tests on aarch64", &["test", "-p", "neurone", "--lib"]) else {
        return;
    };
    // Left out: the exhaustive accuracy sweeps of exp (35 million values) and tanh (10 million),
    // too slow under emulation. Both functions are plain Rust without fused operations, so
    // their accuracy is this machine's; the trainings below compare their bits across CPUs.
    cargo.args([
        "--",
        "--skip",
        "kernels::exp::tests::f32_exp_is_within",
        "--skip",
        "kernels::tanh::tests::f32_tanh_is_within",
    ]);
    // The default set there (NEON); the kernel tests compare every set there themselves.
    cargo.env_remove("NEURONE_KERNELS");
    succeed(cargo, "cargo test -p neurone --lib on aarch64");
}

#[test]
fn sine_xor_and_iris_train_the_same_tensors_on_aarch64() {
    let Some(cargo) = cross_cargo("the aarch64 trainings", &["build", "-p", "neurone-cli"]) else {
        return;
    };
    succeed(cargo, "cargo build -p neurone-cli for aarch64");
    let aarch64_binary = root().join(format!("target/aarch64/{TARGET}/release/neurone"));
    let scratch = std::env::temp_dir().join(format!("neurone-aarch64-{}", std::process::id()));
    for name in ["sine", "xor", "iris"] {
        let train = |machine: &str, mut command: Command| {
            let out = scratch.join(format!("{name}-{machine}"));
            let config = root().join(format!("examples/{name}.toml"));
            command.arg("train").arg(config).args(["--quiet", "--no-plots", "--out"]).arg(&out);
            // Each machine's default kernels (a set forced for this run may not exist there).
            command.env_remove("NEURONE_KERNELS");
            succeed(command, &format!("{name} on {machine}"));
            tensors(&std::fs::read(out.join("model.safetensors")).unwrap())
        };
        let here = train("x86-64", Command::new(env!("CARGO_BIN_EXE_neurone")));
        let mut qemu = Command::new(RUNNER[0]);
        qemu.args(&RUNNER[1..]).arg(&aarch64_binary);
        let there = train("aarch64", qemu);
        assert!(here == there, "{name}: the tensors trained on aarch64 differ from this machine's");
    }
    let _ = std::fs::remove_dir_all(&scratch);
}
