#!/bin/sh
# Writes N (default 1000) variants of the Sfax report into DIR: each copy
# gets its own name, city and a few words of its own, so every one is a
# distinct document for the indexer.
set -eu
dir=$1; n=${2:-1000}
src=$(dirname "$0")/../../corpus/2019-06-sfax-societe-civile-gouvernance-migration.txt
mkdir -p "$dir"
cities="Sfax Tunis Rabat Nador Douala Lyon Turin Madrid Beyrouth Amman"
i=0
while [ "$i" -lt "$n" ]; do
  city=$(echo $cities | cut -d' ' -f$((i % 10 + 1)))
  sed -e "s/Sfax/$city/g" "$src" > "$dir/2019-06-rapport-$i.txt"
  printf '\nNote %d: variante numéro %d, mot%d, ville de %s.\n' "$i" "$i" "$i" "$city" >> "$dir/2019-06-rapport-$i.txt"
  i=$((i + 1))
done
