#!/bin/sh
# Full-handshake rates side by side: ours in Deno (in memory, public API), then
# Node's native tls (OpenSSL) over loopback, same key types, in one run.
# Usage: sh bench/run_handshakes.sh
set -e
cd "$(dirname "$0")/.."
deno bench -A bench/handshake_bench.ts
node bench/node_tls_handshake.mjs 3
