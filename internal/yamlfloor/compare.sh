#!/bin/sh
# compare.sh SIGCONV N [DIR...]: runs the yaml.v3 floor and `sigconv convert -t xql -s` over the
# same rule directories N times, interleaved, and prints each pair's wall time, CPU time, peak RSS
# and the ratio of the wall times (docs/speed.md). Build both first:
#   go build -o /tmp/sigconv ./cmd/sigconv && go build -o /tmp/yamlfloor ./internal/yamlfloor
# DIR defaults to the SigmaHQ corpus beside the repository. Needs GNU time (/usr/bin/time).
set -e
bin=$1; n=$2; shift 2
root=$(cd "$(dirname "$0")/../.." && pwd)/../shared/corpus/sigmahq
[ $# -gt 0 ] || set -- "$root/rules" "$root/rules-emerging-threats" "$root/rules-threat-hunting"
floor=${YAMLFLOOR:-/tmp/yamlfloor}
t=$(mktemp -d)
i=0
while [ $i -lt "$n" ]; do
	/usr/bin/time -o "$t/f" -f '%e %U %S %M' "$floor" "$@" >/dev/null 2>&1
	/usr/bin/time -o "$t/c" -f '%e %U %S %M' "$bin" convert -t xql -s "$@" >/dev/null 2>&1
	echo "$(tail -1 "$t/f") $(tail -1 "$t/c")" | awk '{printf "floor %.2f s, CPU %.2f s, %d KB | sigconv %.2f s, CPU %.2f s, %d KB | ratio %.2f\n", $1, $2+$3, $4, $5, $6+$7, $8, $5/$1}'
	i=$((i + 1))
done
rm -r "$t"
