#!/usr/bin/env bash
# Regenerates the committed shell completion scripts from the current command line.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
bin=target/debug/taskwatch
"$bin" completions bash > completions/taskwatch.bash
"$bin" completions zsh > completions/_taskwatch
"$bin" completions fish > completions/taskwatch.fish
"$bin" completions elvish > completions/taskwatch.elv
"$bin" completions powershell > completions/_taskwatch.ps1
