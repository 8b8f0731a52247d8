#!/usr/bin/env bash
# The whole test suite: formatting, lints, unit tests, and the end-to-end tests that boot the default
# guest under QEMU (they need `scripts/setup.sh` to have run once).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --all -- --check
cargo clippy --release --workspace --all-targets --quiet -- -D warnings
# The end-to-end tests run the release `vmscope` and its plugin; build both first.
cargo build --release --workspace --quiet
cargo test --release --workspace --no-fail-fast
