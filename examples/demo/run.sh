#!/usr/bin/env bash
# The demo network: one `caplnet switch`, two nodes (ecu_a, ecu_b) with an untagged LAN and VLAN
# 10, pings across both over IPv4 and IPv6, everything captured to pcapng, a summary printed.
# Installs and builds first (tools/setup.sh). Leaves the run directory for inspection.
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
bash "$top/tools/setup.sh" > /dev/null
caplnet="$top/build/tools/caplnet"
demo="$top/examples/demo"
run="$(mktemp -d /tmp/caplnet-demo-XXXXXX)"   # private (0700): the switch lives here

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# Starts a long-running command with its output in LOG and waits for the line saying it is up.
start() {
  local log="$1" ready="$2"; shift 2
  "$@" > "$log" 2>&1 &
  pids+=($!)
  if ! timeout 30 grep -q -m1 "$ready" <(tail -n +1 -f "$log"); then
    echo "demo: '$*' did not come up:"; cat "$log"; exit 1
  fi
}

echo "== run directory: $run"
start "$run/switch.log" "switch ready" "$caplnet" switch "$run/switch" --capture "$run/switch.pcapng"
"$caplnet" adapters "$demo/ecu_a.toml"
start "$run/ecu_b.log" "ready" "$caplnet" node "$demo/ecu_b.toml" --run-dir "$run" --capture "$run/ecu_b.pcapng"

echo "== ecu_a pings ecu_b on the untagged LAN and on VLAN 10 (IPv4, IPv6, link-local)"
"$caplnet" node "$demo/ecu_a.toml" --run-dir "$run" --capture "$run/ecu_a.pcapng" --exit \
  --ping 10.0.0.2 --ping 10.0.10.2 --ping fd00::b --ping fd00:10::b --ping fe80::ff:fe00:b%2 \
  | tee "$run/ecu_a.log"

cleanup; pids=()
echo "== ecu_b"; grep -v ready "$run/ecu_b.log"
echo "== switch"; grep -v "switch ready" "$run/switch.log"
echo "== frames the switch saw, by VLAN (tshark)"
tshark -r "$run/switch.pcapng" -T fields -e vlan.id -e vlan.priority 2>/dev/null \
  | awk '{k = ($1 == "" ? "untagged" : "vlan " $1 " pcp " $2); n[k]++} END {for (k in n) print "  " k ": " n[k]}'
echo "== captures: $run/switch.pcapng $run/ecu_a.pcapng $run/ecu_b.pcapng"
if grep -q " 0/" "$run/ecu_a.log"; then echo "demo: FAILED (a ping got no reply)"; exit 1; fi
echo "demo: OK"
