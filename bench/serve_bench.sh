#!/usr/bin/env bash
# scxsnap serve under scrapes (needs root): the test objects loaded (130+ maps
# on the host), serve on loopback selecting one scheduler-shaped object's
# globals (types.bpf.o), SCRAPES sequential GET /metrics: latency p50/p99/max
# and the server's RSS after 100 scrapes and at the end (flat = no growth).
#   bench/serve_bench.sh [BUILD_DIR]     Environment: SCRAPES (default 10000)
set -euo pipefail
build=${1:-build}
scrapes=${SCRAPES:-10000}
bpf=$build/tests/bpf
if [ "$(id -u)" != 0 ]; then
  echo "(serve benchmark skipped: needs root)"
  exit 0
fi
scratch=$(mktemp -d)
coproc HOLD { "$build/bench/bpf_hold" "$bpf/scale.bpf.o" "$bpf/types.bpf.o" "$bpf/maps.bpf.o" \
  "$bpf/cc.bpf.o" "$bpf/bench.bpf.o"; }
hold_pid=$HOLD_PID
serve_pid=
trap 'kill $serve_pid "$hold_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$scratch"' EXIT
read -r ready <&"${HOLD[0]}"
[ "$ready" = ready ] || { echo "bpf_hold failed"; exit 1; }
maps=$(bpftool map show | grep -c '^[0-9]')
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$build/scxsnap" serve --listen "127.0.0.1:$port" --obj types -q 2>"$scratch/serve.log" &
serve_pid=$!
until python3 -c "import socket; socket.create_connection(('127.0.0.1', $port))" 2>/dev/null; do sleep 0.05; done
echo "== GET /metrics x $scrapes, one scheduler-shaped object (types.bpf.o) on a host with $maps maps"
python3 - "$port" "$scrapes" "$serve_pid" <<'PY'
import http.client, sys, time
port, n, pid = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
def rss():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
lat, series = [], 0
c = http.client.HTTPConnection("127.0.0.1", port)
for i in range(n):
    t = time.perf_counter()
    c.request("GET", "/metrics")
    r = c.getresponse()
    body = r.read()
    lat.append((time.perf_counter() - t) * 1000)
    assert r.status == 200, r.status
    if i == 0:
        series = sum(1 for l in body.splitlines() if l and not l.startswith(b"#"))
    if i == 99:
        early = rss()
late = rss()
lat.sort()
q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
print(f"{series} series a scrape; latency p50 {q(0.5):.2f} ms, p99 {q(0.99):.2f} ms, max {lat[-1]:.2f} ms")
print(f"server RSS after 100 scrapes {early:.1f} MiB, after {n}: {late:.1f} MiB")
PY
