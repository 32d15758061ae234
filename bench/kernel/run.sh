#!/usr/bin/env bash
# bench/kernel/run.sh: the real kernel's forwarding rate on nslab's benchmark topologies, printed
# beside nslab's own figure (bench/results.json from `npm run bench -- --json`) as a ratio.
#
#   sudo bench/kernel/run.sh [--seconds N] [--only TOPO[,TOPO...]] [--json FILE] [--shared-core]
#
# Root only, optional, never run by `npm test`. Builds each topology in network namespaces named
# nsl-bk-<pid>-{a,b,c} (both ends of every veth inside them), injects one 64-byte frame in a loop
# with inject.c (AF_PACKET, sendmmsg) from namespace a, and counts the frames that leave the far
# veth. It never touches the root namespace's interfaces, addresses, routes, iptables or
# sysctls, and deletes every namespace it made on exit, Ctrl-C or time-out. See README.md.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

ALL_TOPOS=(
  l2-unicast l2-unicast-nf
  l3-forward-1 l3-forward-1000 l3-forward-100000
  l3-filter-100-nft l3-filter-1000-nft
  l3-filter-100-legacy l3-filter-1000-legacy
)

usage() {
  cat <<EOF
usage: sudo $0 [options]
  --seconds N       measured window per topology (default 5)
  --warmup N        seconds of injection before the window opens (default 1)
  --only LIST       comma-separated topologies; a name that is not exact selects every
                    topology it prefixes (--only l3-filter, --only l3-filter-100)
  --json FILE       also write the kernel figures (and nslab's, when known) as JSON
  --results FILE    nslab's figures (default bench/results.json)
  --macs N          fdb entries on the bridge, the destination included (default 1000)
  --sender-cpu N    CPU the injector runs on (default 1)
  --forward-cpu N   CPU the forwarding runs on, via RPS on the ingress veth (default 0)
  --shared-core     injector and forwarding on --forward-cpu together (no RPS)
  --batch N         frames per sendmmsg call (default 64)
  --runs N          windows per topology (same namespaces, a warm-up before each); the run
                    with the highest kernel_pps is reported (default 1)
  --list            print the topology names and exit
  --cleanup         delete every leftover nsl-bk-* namespace (from a killed run) and exit
topologies: ${ALL_TOPOS[*]}
EOF
}

die() { echo "run.sh: $*" >&2; exit 2; }
note() { echo "# $*" >&2; }

ORIG_ARGS=("$@")
DURATION=5 WARMUP=1 ONLY="" JSON_OUT="" RESULTS="$REPO/bench/results.json" MACS=1000
SENDER_CPU=1 FORWARD_CPU=0 SHARED=0 BATCH=64 RUNS=1 CLEANUP_ONLY=0
while (($#)); do
  case $1 in
    --seconds) DURATION=${2:?}; shift 2 ;;
    --warmup) WARMUP=${2:?}; shift 2 ;;
    --only) ONLY=${2:?}; shift 2 ;;
    --json) JSON_OUT=${2:?}; shift 2 ;;
    --results) RESULTS=${2:?}; shift 2 ;;
    --macs) MACS=${2:?}; shift 2 ;;
    --sender-cpu) SENDER_CPU=${2:?}; shift 2 ;;
    --forward-cpu) FORWARD_CPU=${2:?}; shift 2 ;;
    --shared-core) SHARED=1; shift ;;
    --batch) BATCH=${2:?}; shift 2 ;;
    --runs) RUNS=${2:?}; shift 2 ;;
    --list) printf '%s\n' "${ALL_TOPOS[@]}"; exit 0 ;;
    --cleanup) CLEANUP_ONLY=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
for v in DURATION WARMUP MACS SENDER_CPU FORWARD_CPU BATCH RUNS; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "--${v,,} must be a whole number"
done
((DURATION >= 1 && DURATION <= 600)) || die "--seconds must be 1..600"
((WARMUP <= 60)) || die "--warmup must be 0..60"
((MACS >= 1 && MACS <= 60000)) || die "--macs must be 1..60000"
((BATCH >= 1 && BATCH <= 1024)) || die "--batch must be 1..1024"
((RUNS >= 1 && RUNS <= 20)) || die "--runs must be 1..20"

[[ $(id -u) == 0 ]] || die "needs root (it creates network namespaces): sudo $0"

if ((CLEANUP_ONLY)); then
  for ns in $(ip netns list | awk '{print $1}' | grep '^nsl-bk-' || true); do
    ip netns delete "$ns" && echo "deleted $ns"
  done
  exit 0
fi

# Which topologies.
SELECTED=()
if [[ -z $ONLY ]]; then
  SELECTED=("${ALL_TOPOS[@]}")
else
  IFS=, read -r -a wanted <<<"$ONLY"
  for w in "${wanted[@]}"; do
    hit=0
    for t in "${ALL_TOPOS[@]}"; do [[ $t == "$w" ]] && { SELECTED+=("$t"); hit=1; }; done
    if ((!hit)); then
      for t in "${ALL_TOPOS[@]}"; do [[ $t == "$w"-* ]] && { SELECTED+=("$t"); hit=1; }; done
    fi
    ((hit)) || die "unknown topology '$w' (--list shows them)"
  done
fi

# Bound the whole run: re-run this script under timeout(1) (--foreground keeps Ctrl-C working).
# On time-out the script gets SIGTERM, and its trap deletes the namespaces.
if [[ -z ${NSL_BK_TIMED:-} ]]; then
  limit=$((${#SELECTED[@]} * (RUNS * (WARMUP + DURATION + 10) + 90) + 60))
  export NSL_BK_TIMED=1
  exec timeout --foreground -k 30 "$limit" bash "$0" "${ORIG_ARGS[@]}"
fi

for tool in ip bridge jq cc taskset awk timeout; do
  command -v "$tool" >/dev/null || die "needs $tool (apt-get install iproute2 jq gcc util-linux gawk coreutils)"
done
ncpu=$(getconf _NPROCESSORS_ONLN)
if ((!SHARED)) && ((ncpu < 2)); then
  note "only one CPU online: falling back to --shared-core"
  SHARED=1
fi
((SENDER_CPU < ncpu && FORWARD_CPU < ncpu)) || die "CPU numbers must be below $ncpu"
((SHARED || SENDER_CPU != FORWARD_CPU)) || die "--sender-cpu and --forward-cpu must differ (or use --shared-core)"
INJECT_CPU=$SENDER_CPU
((SHARED)) && INJECT_CPU=$FORWARD_CPU
# Helper commands (ip, jq, sleep) stay off the forwarding CPU.
HELPER_CPU=$SENDER_CPU
((SHARED && SENDER_CPU == FORWARD_CPU)) && HELPER_CPU=$(((FORWARD_CPU + 1) % ncpu))
taskset -pc "$HELPER_CPU" $$ >/dev/null

# State for the trap.
P="nsl-bk-$$"
CREATED=()
INJ_PID=""
TMP=$(mktemp -d /tmp/nsl-bk.XXXXXX)

cleanup() {
  local rc=$?
  # Ignore further signals while cleaning up (Ctrl-C reaches us twice: from the terminal and
  # forwarded by timeout(1)); the deletions below are quick.
  trap '' INT TERM HUP
  trap - EXIT
  if [[ -n $INJ_PID ]]; then
    kill -TERM "$INJ_PID" 2>/dev/null || true
    wait "$INJ_PID" 2>/dev/null || true
  fi
  local ns
  for ns in "${CREATED[@]}"; do ip netns delete "$ns" 2>/dev/null || true; done
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "run.sh: interrupted" >&2; exit 130' INT
trap 'echo "run.sh: terminated (time limit?)" >&2; exit 143' TERM
trap 'exit 129' HUP

# Sleeps that let traps run at once.
nap() { sleep "$1" & wait $!; }

cc -O2 -Wall -o "$TMP/inject" "$HERE/inject.c" || die "cc failed on inject.c"

HAVE_LEGACY=0
command -v iptables-legacy-restore >/dev/null && HAVE_LEGACY=1
HAVE_NFT=0
command -v iptables-nft-restore >/dev/null && HAVE_NFT=1

# ---------------------------------------------------------------------------------------------
# Building blocks. Namespaces: a (sender), b (bridge or router), c (sink).
NS_A="$P-a" NS_B="$P-b" NS_C="$P-c"
MAC_A0=02:00:00:00:00:a0 MAC_B0=02:00:00:00:00:b0 MAC_B1=02:00:00:00:00:b1
MAC_C0=02:00:00:00:00:c0 MAC_BR=02:00:00:00:00:bb
# Where forwarded frames are addressed: not c0's own MAC, so namespace c drops each frame as
# PACKET_OTHERHOST at the top of ip_rcv (the sink costs the forwarding CPU as little as it can).
MAC_SINK=02:00:00:00:0c:01

nsx() { timeout 120 ip netns exec "$@"; }

mkns() {
  ip netns add "$1"
  CREATED+=("$1")
  ip -n "$1" link set lo up
  # No IPv6 chatter (router solicitations, DAD, MLD) on the veths.
  nsx "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
}

# veth NS1 IF1 MAC1 NS2 IF2 MAC2: created inside NS1 with its peer placed in NS2 at once.
veth() {
  ip -n "$1" link add "$2" address "$3" type veth peer name "$5" address "$6" netns "$4"
}

rps() { # rps NS IF: steer the receive processing of IF to the forwarding CPU
  ((SHARED)) && return 0
  local mask i
  mask=$(printf '%x' $((1 << (FORWARD_CPU % 32))))
  for ((i = 0; i < FORWARD_CPU / 32; i++)); do mask+=",00000000"; done
  nsx "$1" sh -c "echo $mask > /sys/class/net/$2/queues/rx-0/rps_cpus"
}

# wait_up NS IF [bridge]: until IF's carrier is up (linkwatch takes up to a second) and, for a
# bridge port, until it forwards. At most 10 s.
wait_up() {
  local i
  for ((i = 0; i < 100; i++)); do
    if [[ $(ip -n "$1" -j link show dev "$2" | jq -r '.[0].operstate') == UP ]]; then
      [[ ${3:-} != bridge ]] && return 0
      [[ $(bridge -n "$1" -j link show dev "$2" | jq -r '.[0].state') == forwarding ]] && return 0
    fi
    sleep 0.1
  done
  die "$2 in $1 did not come up"
}

teardown() {
  local ns
  for ns in "${CREATED[@]}"; do ip netns delete "$ns" 2>/dev/null || true; done
  CREATED=()
}

ip2hex() { local IFS=.; set -- $1; printf '%02x%02x%02x%02x' "$1" "$2" "$3" "$4"; }

# frame DSTMAC SRCMAC SRCIP DSTIP: 64 bytes, Ethernet + IPv4 (TTL 64) + UDP 1024→9 + 22 zeros.
frame() {
  local dst=${1//:/} src=${2//:/} sip dip sum w
  sip=$(ip2hex "$3"); dip=$(ip2hex "$4")
  sum=$((0x4500 + 0x0032 + 0x0000 + 0x0000 + 0x4011))
  for w in "${sip:0:4}" "${sip:4:4}" "${dip:0:4}" "${dip:4:4}"; do sum=$((sum + 0x$w)); done
  while ((sum >> 16)); do sum=$(((sum & 0xffff) + (sum >> 16))); done
  printf '%s%s0800' "$dst" "$src"
  printf '4500003200000000%02x%02x%04x%s%s' 64 17 $((~sum & 0xffff)) "$sip" "$dip"
  printf '0400000900%02x0000' 30
  printf '%044d' 0
}

# Route i of a table of many: 11.0.0.0/24, 11.0.1.0/24, ... (100 000 of them reach 12.134.159.0/24).
route_net() { echo "$((11 + $1 / 65536)).$((($1 / 256) % 256)).$(($1 % 256))"; }

bridge_nf_default=""

setup_l2() { # setup_l2 NF(0|1) → echoes the frame
  local nf=$1 i
  mkns "$NS_A"; mkns "$NS_B"; mkns "$NS_C"
  veth "$NS_A" a0 $MAC_A0 "$NS_B" b0 $MAC_B0
  veth "$NS_B" b1 $MAC_B1 "$NS_C" c0 $MAC_C0
  ip -n "$NS_B" link add br0 address $MAC_BR type bridge
  ip -n "$NS_B" link set b0 master br0
  ip -n "$NS_B" link set b1 master br0
  local f=/proc/sys/net/bridge/bridge-nf-call-iptables
  if nsx "$NS_B" test -e $f; then
    [[ -n $bridge_nf_default ]] || bridge_nf_default=$(nsx "$NS_B" cat $f)
    nsx "$NS_B" sysctl -qw net.bridge.bridge-nf-call-iptables="$nf"
  elif ((nf)); then
    return 3
  fi
  ip -n "$NS_A" link set a0 up
  ip -n "$NS_B" link set b0 up
  ip -n "$NS_B" link set b1 up
  ip -n "$NS_B" link set br0 up
  ip -n "$NS_C" link set c0 up
  rps "$NS_B" b0; rps "$NS_C" c0
  wait_up "$NS_B" b0 bridge; wait_up "$NS_B" b1 bridge; wait_up "$NS_A" a0; wait_up "$NS_C" c0
  # The destination (static), and MACS-1 more learned as if seen on the ports ("use": the
  # kernel's own learning path; they would age out after 300 s, long after the run).
  {
    echo "fdb add $MAC_SINK dev b1 master static"
    for ((i = 1; i < MACS; i++)); do
      printf 'fdb add 02:00:00:01:%02x:%02x dev b%d master use dynamic\n' $((i >> 8)) $((i & 255)) $((i & 1))
    done
  } | timeout 120 bridge -n "$NS_B" -batch -
  local n
  n=$(bridge -n "$NS_B" fdb show br br0 | grep -cE '^02:00:00:(01:|00:0c:01 )' || true)
  ((n == MACS)) || die "expected $MACS fdb entries on br0, found $n"
}

setup_l3() { # setup_l3 ROUTES [RULES BACKEND] → sets DST_IP
  local routes=$1 rules=${2:-0} backend=${3:-} i target
  mkns "$NS_A"; mkns "$NS_B"; mkns "$NS_C"
  veth "$NS_A" a0 $MAC_A0 "$NS_B" b0 $MAC_B0
  veth "$NS_B" b1 $MAC_B1 "$NS_C" c0 $MAC_C0
  nsx "$NS_B" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
    net.ipv4.conf.default.rp_filter=0
  ip -n "$NS_B" addr add 10.1.0.1/24 dev b0
  ip -n "$NS_B" addr add 10.2.0.1/24 dev b1
  ip -n "$NS_A" link set a0 up
  ip -n "$NS_B" link set b0 up
  ip -n "$NS_B" link set b1 up
  ip -n "$NS_C" link set c0 up
  rps "$NS_B" b0; rps "$NS_C" c0
  wait_up "$NS_B" b0; wait_up "$NS_B" b1; wait_up "$NS_A" a0; wait_up "$NS_C" c0
  ip -n "$NS_B" neigh add 10.2.0.2 lladdr $MAC_SINK dev b1 nud permanent
  ip -n "$NS_B" neigh add 10.1.0.2 lladdr $MAC_A0 dev b0 nud permanent
  awk -v n="$routes" 'BEGIN { for (i = 0; i < n; i++)
      printf "route add %d.%d.%d.0/24 via 10.2.0.2 dev b1\n", 11 + int(i / 65536), int(i / 256) % 256, i % 256 }' |
    timeout 300 ip -n "$NS_B" -batch -
  target=$((routes / 2))
  DST_IP="$(route_net $target).5"
  if ((rules)); then
    local restore=iptables-nft-restore lister=iptables-nft
    [[ $backend == legacy ]] && { restore=iptables-legacy-restore; lister=iptables-legacy; }
    awk -v n="$rules" 'BEGIN { print "*filter"; print ":INPUT ACCEPT [0:0]"
        print ":FORWARD ACCEPT [0:0]"; print ":OUTPUT ACCEPT [0:0]"
        for (i = 0; i < n; i++) printf "-A FORWARD -s 172.16.%d.%d/32 -j DROP\n", int(i / 256), i % 256
        print "COMMIT" }' | nsx "$NS_B" "$restore"
    local have
    have=$(nsx "$NS_B" "$lister" -S FORWARD | grep -c '^-A FORWARD' || true)
    ((have == rules)) || die "$backend: expected $rules FORWARD rules, found $have"
  fi
}

stats() { # stats NS IF → "rx_packets tx_packets rx_dropped tx_dropped"
  ip -n "$1" -s -j link show dev "$2" |
    jq -r '.[0].stats64 | "\(.rx.packets) \(.tx.packets) \(.rx.dropped) \(.tx.dropped)"'
}

cpustat() { # cpustat N → "user kernel total" jiffies of CPU N (kernel = system + irq + softirq)
  awk -v c="cpu$1" '$1 == c { t = 0; for (i = 2; i <= 9; i++) t += $i; print $2 + $3, $4 + $7 + $8, t }' /proc/stat
}

# measure FRAMEHEX → sets KPPS (egress) CORE_PPS SENT_PPS IN_PPS IN_DROP FWD_KERNEL FWD_USER
measure() {
  local hex=$1 e0 e1 i0 i1 c0 c1 t0 t1 out
  timeout -k 5 $((WARMUP + DURATION + 20)) \
    ip netns exec "$NS_A" "$TMP/inject" -i a0 -f "$hex" -s $((WARMUP + DURATION)) \
    -c "$INJECT_CPU" -b "$BATCH" >"$TMP/inject.out" &
  INJ_PID=$!
  nap "$WARMUP"
  # The egress counter is read right after each timestamp, so the read's latency cancels out.
  t0=$(date +%s.%N); e0=$(stats "$NS_C" c0); i0=$(stats "$NS_B" b0); c0=$(cpustat "$FORWARD_CPU")
  nap "$DURATION"
  t1=$(date +%s.%N); e1=$(stats "$NS_C" c0); i1=$(stats "$NS_B" b0); c1=$(cpustat "$FORWARD_CPU")
  wait "$INJ_PID" || die "inject failed: $(cat "$TMP/inject.out")"
  INJ_PID=""
  out=$(cat "$TMP/inject.out")
  read -r KPPS CORE_PPS IN_PPS IN_DROP FWD_KERNEL FWD_USER < <(awk -v t0="$t0" -v t1="$t1" \
    -v e0="$e0" -v e1="$e1" -v i0="$i0" -v i1="$i1" -v c0="$c0" -v c1="$c1" 'BEGIN {
      split(e0, a, " "); split(e1, b, " "); split(i0, p, " "); split(i1, q, " ")
      split(c0, x, " "); split(c1, y, " "); dt = t1 - t0; tot = y[3] - x[3]
      k = tot > 0 ? (y[2] - x[2]) / tot : 0; u = tot > 0 ? (y[1] - x[1]) / tot : 0
      pps = (b[1] - a[1]) / dt
      printf "%.0f %.0f %.0f %.0f %.0f %.0f\n", pps, (k > 0 ? pps / k : 0),
        (q[1] - p[1]) / dt, (q[3] - p[3]) / dt, 100 * k, 100 * u }')
  SENT_PPS=$(sed -n 's/.*pps=\([0-9]*\).*/\1/p' <<<"$out")
}

nslab_mpps() { # nslab_mpps TOPO → mpps_median from $RESULTS, or nothing
  [[ -f $RESULTS ]] || return 0
  local base=${1%-nft}
  base=${base%-legacy}
  jq -r --arg t "$1" --arg b "$base" '
    def norm: ascii_downcase | gsub("routes?|rules?"; "") | gsub("[^a-z0-9]+"; "-")
      | gsub("^-+|-+$"; "");
    [ .[]? | select(type == "object" and (.mpps_median | type) == "number") ] as $r
    | ([ $r[] | select(.name == $t) ] + [ $r[] | select(.name == $b) ]
       + [ $r[] | select((.name | norm) == ($t | norm)) ]
       + [ $r[] | select((.name | norm) == ($b | norm)) ]) | first | .mpps_median // empty
  ' "$RESULTS" 2>/dev/null || true
}

# ---------------------------------------------------------------------------------------------
mode="sender on CPU $SENDER_CPU, forwarding on CPU $FORWARD_CPU (RPS)"
((SHARED)) && mode="sender and forwarding both on CPU $FORWARD_CPU"
note "kernel $(uname -r), $ncpu CPUs; $mode; $RUNS × (${WARMUP}s warm-up + ${DURATION}s window) per topology"
[[ -f $RESULTS ]] && note "nslab figures from ${RESULTS#"$REPO"/}" ||
  note "no ${RESULTS#"$REPO"/} (npm run bench -- --json writes it): kernel figures only"
printf '%-22s %11s %11s %11s %8s %10s %12s %10s\n' topology kernel_pps core_pps sent_pps fwd_cpu \
  nslab_mpps nslab/kernel nslab/core

JSON_ROWS=()
for topo in "${SELECTED[@]}"; do
  skip=""
  case $topo in
    *-nft) ((HAVE_NFT)) || skip="no iptables-nft-restore" ;;
    *-legacy) ((HAVE_LEGACY)) || skip="no iptables-legacy-restore" ;;
  esac
  if [[ -z $skip ]]; then
    # The setup runs in a subshell (so that set -e holds inside its functions); its namespaces
    # have fixed names, so the trap knows them before they exist.
    CREATED=("$NS_A" "$NS_B" "$NS_C")
    set +e
    (
      set -e
      case $topo in
        l2-unicast) setup_l2 0 ;;
        l2-unicast-nf) setup_l2 1 ;;
        l3-forward-*) setup_l3 "${topo#l3-forward-}" ;;
        l3-filter-*) n=${topo#l3-filter-}; setup_l3 1 "${n%-*}" "${n##*-}" ;;
      esac
      # Hand back what the parent needs (the subshell keeps set -e honest).
      declare -p bridge_nf_default DST_IP 2>/dev/null >"$TMP/setup.env" || true
    ) 2>"$TMP/setup.err"
    rc=$?
    set -e
    if ((rc == 3)); then
      skip="br_netfilter not loaded (modprobe br_netfilter; this script does not load modules)"
    elif ((rc != 0)); then
      cat "$TMP/setup.err" >&2
      die "setup of $topo failed"
    else
      # shellcheck disable=SC1091
      source "$TMP/setup.env"
    fi
  fi
  if [[ -n $skip ]]; then
    teardown
    printf '%-22s %11s   (skipped: %s)\n' "$topo" - "$skip"
    continue
  fi
  case $topo in
    l2-*) hex=$(frame $MAC_SINK $MAC_A0 10.1.0.2 10.1.0.3) ;;
    *) hex=$(frame $MAC_B0 $MAC_A0 10.1.0.2 "$DST_IP") ;;
  esac
  # RUNS windows on the same namespaces; keep the best (the least disturbed by other programs;
  # it also keeps nslab/kernel on the conservative side).
  rows=()
  for ((r = 0; r < RUNS; r++)); do
    measure "$hex"
    rows+=("$KPPS $CORE_PPS $SENT_PPS $IN_PPS $IN_DROP $FWD_KERNEL $FWD_USER")
  done
  teardown
  ALL_KPPS=$(printf '%s\n' "${rows[@]}" | awk '{print $1}' | paste -sd, -)
  read -r KPPS CORE_PPS SENT_PPS IN_PPS IN_DROP FWD_KERNEL FWD_USER < <(printf '%s\n' "${rows[@]}" |
    sort -n -r -k1,1 | head -n 1)
  nm=$(nslab_mpps "$topo")
  ratio="" ratio_core=""
  if [[ -n $nm ]]; then
    ((KPPS > 0)) && ratio=$(awk -v n="$nm" -v k="$KPPS" 'BEGIN { printf "%.1fx", n * 1e6 / k }')
    ((CORE_PPS > 0)) && ratio_core=$(awk -v n="$nm" -v k="$CORE_PPS" 'BEGIN { printf "%.1fx", n * 1e6 / k }')
  fi
  printf '%-22s %11s %11s %11s %7s%% %10s %12s %10s\n' "$topo" "$KPPS" "$CORE_PPS" "$SENT_PPS" \
    "$FWD_KERNEL" "${nm:--}" "${ratio:--}" "${ratio_core:--}"
  ((RUNS == 1)) || note "$topo: kernel_pps of the $RUNS runs: ${ALL_KPPS//,/ }"
  ((KPPS > 0)) || note "$topo: nothing left the far veth (setup problem?)"
  ((FWD_USER < 10)) ||
    note "$topo: other programs took ${FWD_USER}% of CPU $FORWARD_CPU in the window: figures disturbed"
  ((SHARED || FWD_USER >= 10 || FWD_KERNEL >= 90)) ||
    note "$topo: CPU $FORWARD_CPU spent only ${FWD_KERNEL}% in the kernel: not saturated (sender-bound?); core_pps extrapolates"
  JSON_ROWS+=("$(jq -cn --arg name "$topo" --argjson pps "$KPPS" --argjson core "$CORE_PPS" \
    --argjson sent "$SENT_PPS" --argjson inpps "$IN_PPS" --argjson drop "$IN_DROP" \
    --argjson kern "$FWD_KERNEL" --argjson user "$FWD_USER" --arg nm "$nm" --arg all "$ALL_KPPS" \
    '{name: $name, kernel_pps: $pps, kernel_mpps: ($pps / 1e6), core_pps: $core, sent_pps: $sent,
      ingress_pps: $inpps, ingress_drop_pps: $drop, forward_cpu_kernel_pct: $kern,
      forward_cpu_user_pct: $user, runs_kernel_pps: ($all | split(",") | map(tonumber)),
      nslab_mpps: (if $nm == "" then null else ($nm | tonumber) end),
      ratio: (if $nm == "" or $pps == 0 then null else (($nm | tonumber) * 1e6 / $pps) end),
      ratio_core: (if $nm == "" or $core == 0 then null else (($nm | tonumber) * 1e6 / $core) end)}')")
done

[[ -n $bridge_nf_default ]] &&
  note "bridge-nf-call-iptables in a new namespace defaults to $bridge_nf_default here (l2-unicast sets 0, l2-unicast-nf 1)"

if [[ -n $JSON_OUT ]]; then
  printf '%s\n' "${JSON_ROWS[@]}" | jq -s --arg k "$(uname -r)" --argjson s "$DURATION" \
    --argjson shared "$SHARED" --argjson scpu "$INJECT_CPU" --argjson fcpu "$FORWARD_CPU" \
    --argjson runs "$RUNS" '{kernel: $k, seconds: $s, runs: $runs, shared_core: ($shared == 1), sender_cpu: $scpu,
      forward_cpu: $fcpu, results: .}' >"$JSON_OUT"
  note "wrote $JSON_OUT"
fi
