#!/bin/bash
# Records the nc sessions of this folder on the real kernel (root; netcat-openbsd 1.219-1, tcpdump).
# For each CASE.cmds (one shell line per step): fresh namespaces nsl-udp-a/b from setup.sh (veth
# checksum offload off, so captures hold the real UDP checksums), a tcpdump on each veth0, then
# every line run by bash in turn; writes CASE.txt (the fixture format of test/cli/fixture-replay.ts)
# and CASE.nsl-udp-a.pcap / CASE.nsl-udp-b.pcap. Only nsl-udp-* namespaces are created and deleted.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE"
. ../../../fixtures/lib/session.sh   # write_stdout, write_stderr: the fixture format's markers
cleanup() { ip netns del nsl-udp-a 2>/dev/null; ip netns del nsl-udp-b 2>/dev/null; true; }
trap cleanup EXIT
(($#)) || set -- *.cmds
for cmds in "$@"; do
	[[ $cmds == *.cmds ]] || cmds=$cmds.cmds
	name=${cmds%.cmds}
	cleanup
	bash -e setup.sh
	ip netns exec nsl-udp-a ethtool -K veth0 tx off >/dev/null
	ip netns exec nsl-udp-b ethtool -K veth0 tx off >/dev/null
	pids=()
	for ns in nsl-udp-a nsl-udp-b; do
		ip netns exec $ns tcpdump -i veth0 -w "$name.$ns.pcap" -U --immediate-mode -s 0 -n 2>"/tmp/$name.$ns.err" </dev/null &
		pids+=($!)
	done
	for ns in nsl-udp-a nsl-udp-b; do
		until grep -q 'listening on' "/tmp/$name.$ns.err"; do sleep 0.05; done
	done
	{
		sed -n 's/^#/#/p' "$cmds"
		while IFS= read -r line; do
			[[ $line == '#'* || -z $line ]] && continue
			echo "\$ $line"
			out=$(mktemp) err=$(mktemp)
			bash -c "$line" >"$out" 2>"$err" </dev/null
			st=$?
			write_stdout "$out" "$line"
			write_stderr "$err"
			((st != 0)) && echo "! exit=$st"
			rm -f "$out" "$err"
		done < "$cmds"
	} > "$name.txt"
	sleep 0.3
	kill "${pids[@]}"; wait "${pids[@]}" 2>/dev/null
	rm -f /tmp/$name.nsl-udp-*.err
	echo "recorded $name"
done
