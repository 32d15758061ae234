#!/usr/bin/env bash
# Records test/cli/extra/moves.txt: devices moving between namespaces, link-netns/nsid
# printing, carrier counters across moves, lo up/down, and IPv6 left on in one namespace
# (::1, link-local addresses after DAD). Same rules and format as record-link-addr.sh; the
# namespaces nsl-ipa-a (IPv6 off), nsl-ipa-b (IPv6 off) and nsl-ipa-c (IPv6 on) are made by
# the test itself.
set -uo pipefail
A=nsl-ipa-a B=nsl-ipa-b C=nsl-ipa-c
OUT=$(dirname "$0")/moves.txt
export LC_ALL=C
cleanup() { for n in $A $B $C; do ip netns del $n 2>/dev/null; done; true; }
trap cleanup EXIT
cleanup
ip netns add $A && ip netns add $B && ip netns add $C
for n in $A $B; do ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1; done
W=$(mktemp -d)
run() {
	local cmd=$1 rc
	(eval "$cmd") >"$W/out" 2>"$W/err" </dev/null
	rc=$?
	printf '$ %s\n' "$cmd"
	if [[ -s $W/out ]]; then
		cat "$W/out"
		[[ $(tail -c1 "$W/out" | od -An -c | tr -d ' ') == '\n' ]] || { echo; echo '! stdout-no-eol'; }
	fi
	((rc == 0)) || echo "! exit=$rc"
	[[ -s $W/err ]] && sed 's/^/!stderr: /' "$W/err"
	true
}
a() { run "ip netns exec $A $*"; }
b() { run "ip netns exec $B $*"; }
c() { run "ip netns exec $C $*"; }
{
	echo "# case: moves"
	echo "# description: moves between namespaces, nsids, counters, lo, IPv6 on; recorded by test/cli/extra/record-moves.sh"
	a ip link add v0 address 02:00:00:00:bb:01 type veth peer name v1 address 02:00:00:00:bb:02
	a ip link add w0 address 02:00:00:00:bb:03 type veth peer name w1 address 02:00:00:00:bb:04
	a ip addr add 10.1.0.1/24 dev v1
	a ip link set v1 alias moving mtu 1400 up
	a ip link set v0 up
	a ip -s -s link show v1
	a ip link set v1 netns $B
	a ip link
	b ip -s -s -d link
	b ip addr
	a ip link set w1 netns $B
	b ip link add v0 address 02:00:00:00:bb:05 type veth peer name w0 address 02:00:00:00:bb:06
	b ip link set w1 netns $A
	b ip link set v0 netns $A
	b ip link set v1 name v9
	b ip link set v9 netns $A
	b ip -br link
	a ip -br link
	a ip -j link show v0
	b ip -j link show v9
	b ip link set v9 up
	a ip link show v0
	a ip link set v0 down
	b ip -s -s link show v9
	a ip link set lo mtu 1280
	a ip link set lo up
	a ip addr show lo
	a ip link set lo address 02:00:00:00:00:01
	a ip link show lo
	a ip link set lo down
	a ip addr show lo
	a ip link del w0
	b ip -br link
	run "ip netns del $B"
	a ip -br link
	c ip link add e0 address 02:00:00:00:cc:01 type veth peer name e1 address 02:00:00:00:cc:02
	c ip link set lo up
	c ip link set e0 up
	c ip link set e1 up
	run "sleep 3"
	c ip addr
	c ip -6 addr
	c ip -br addr
	c ip -j addr show dev e0
	c ip -6 addr show dev e1
	c ip -o -6 addr
	c sysctl -qw net.ipv6.conf.e1.disable_ipv6=1
	c ip -br addr
	c ip link set e0 down
	c ip -br addr
	c ip link set e0 up
	c ip -br addr
	run "sleep 3"
	c ip -br addr
	c ip addr add 2001:db8::1/64 dev e0
	c ip addr add 2001:db8::2/64 dev e0
	c ip -6 addr show dev e0
	c ip addr del 2001:db8::1/64 dev e0
	c ip addr del 2001:db8::9/64 dev e0
	run "sleep 3"
	c ip -6 addr show dev e0
	c ip addr flush dev e0
	c ip addr show dev e0
} >"$OUT"
rm -rf "$W"
echo "recorded $OUT ($(grep -c '^\$ ' "$OUT") commands)" >&2
