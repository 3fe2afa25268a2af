#!/usr/bin/env bash
# Fuzzes the bounce parser (engine/src/bounces) with cargo-fuzz / libFuzzer.
#
#   engine/fuzz/run.sh [SECONDS]      # default 600; one fuzzing process
#
# Installs cargo-fuzz if missing, copies the bounce corpus (messages/*.eml and
# not-bounces/*.eml) into a temporary seed directory, builds and runs the `parse_report`
# target for SECONDS, and exits non-zero if libFuzzer reports a crash, a hang (> 10 s on one
# input) or running out of memory. Reproducers are written to engine/fuzz/artifacts/parse_report/;
# replay one with `cargo +nightly fuzz run --fuzz-dir engine/fuzz parse_report <file>`.
#
# Environment: BM_BOUNCE_CORPUS (corpus dir, default ../../shared/corpora/bounces, then
# /work/shared/corpora/bounces), CARGO_TARGET_DIR (build dir, default engine/fuzz/target),
# FUZZ_TOOLCHAIN (default: rustup's `nightly`; falls back to the default toolchain with
# RUSTC_BOOTSTRAP=1, which lets a stable/distribution rustc accept -Z flags).
set -euo pipefail

secs="${1:-600}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

corpus=""
for c in "${BM_BOUNCE_CORPUS:-}" "$here/../../shared/corpora/bounces" /work/shared/corpora/bounces; do
    if [[ -n "$c" && -d "$c/messages" ]]; then corpus="$c"; break; fi
done

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz not found; installing it from crates.io" >&2
    cargo install cargo-fuzz --locked
fi

# libFuzzer instrumentation needs -Z flags: a nightly toolchain, or any rustc with RUSTC_BOOTSTRAP=1.
toolchain=()
tc="${FUZZ_TOOLCHAIN:-nightly}"
if rustup run "$tc" rustc --version >/dev/null 2>&1; then
    toolchain=("+$tc")
else
    echo "toolchain '$tc' not available; using the default one with RUSTC_BOOTSTRAP=1" >&2
    export RUSTC_BOOTSTRAP=1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
artifacts="$here/artifacts/parse_report"
mkdir -p "$work/corpus" "$work/seeds" "$artifacts"
if [[ -n "$corpus" ]]; then
    cp "$corpus"/messages/*.eml "$work/seeds/"
    cp "$corpus"/not-bounces/*.eml "$work/seeds/" 2>/dev/null || true
    echo "seeded with $(ls "$work/seeds" | wc -l) messages from $corpus" >&2
else
    echo "bounce corpus not found; fuzzing without seeds" >&2
fi

target_dir=()
if [[ -n "${CARGO_TARGET_DIR:-}" ]]; then target_dir=(--target-dir "$CARGO_TARGET_DIR"); fi

before="$(ls "$artifacts" | wc -l)"
status=0
CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}" cargo "${toolchain[@]}" fuzz run --fuzz-dir "$here" "${target_dir[@]}" \
    parse_report "$work/corpus" "$work/seeds" -- \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=262144 \
    -print_final_stats=1 || status=$?
after="$(ls "$artifacts" | wc -l)"

if [[ $status -ne 0 || "$after" -ne "$before" ]]; then
    echo "fuzzing found a problem (exit $status); reproducers in $artifacts/" >&2
    exit $(( status == 0 ? 1 : status ))
fi
echo "no crash in ${secs}s" >&2
