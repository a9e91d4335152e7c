#!/usr/bin/env bash
# Installs the cross toolchain the ARM64 checks use: Debian's Rust (with its aarch64 standard
# library), the aarch64 linker and C library, and qemu to run the binaries. rustup's targets
# cannot be fetched here; Debian's packages give a complete toolchain instead. Idempotent: when
# everything is present nothing is done.
set -euo pipefail

if [[ -x /usr/bin/rustc && -x /usr/bin/cargo ]] && command -v aarch64-linux-gnu-gcc >/dev/null \
    && command -v qemu-aarch64 >/dev/null \
    && [[ -d /usr/lib/rustlib/aarch64-unknown-linux-gnu ]]; then
    exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
    echo "arm-env: the aarch64 cross toolchain is missing; install it as root (see scripts/arm-env.sh)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
dpkg --add-architecture arm64
apt-get update -qq
apt-get install -y -qq --no-install-recommends rustc-web cargo-web libstd-rust-web-dev:arm64 \
    gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user >/dev/null
echo "arm-env: $(/usr/bin/rustc --version), $(qemu-aarch64 --version | head -1)"
