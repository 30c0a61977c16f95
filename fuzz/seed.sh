#!/usr/bin/env bash
# Writes the seed corpus of each fuzz target into fuzz/corpus/TARGET/:
# the test fixtures and the bundled report for the segmenter (one byte in
# front picks the decoder, as in fuzz_targets/segment.rs), queries and
# query strings for the query handling, raw HTTP requests for the handler.
# libFuzzer adds what it finds to the same folders (not committed).
set -euo pipefail
cd "$(dirname "$0")"
root=..

seed() { # seed TARGET NAME: stdin becomes fuzz/corpus/TARGET/NAME
    mkdir -p "corpus/$1"
    cat >"corpus/$1/$2"
}

# Segmenter: the byte is the index of the extension in
# palabre::decode::Format::EXTENSIONS (txt md markdown pdf docx odt html htm).
format_byte() {
    case "$1" in
        txt) echo 0 ;; md) echo 1 ;; markdown) echo 2 ;; pdf) echo 3 ;;
        docx) echo 4 ;; odt) echo 5 ;; html) echo 6 ;; htm) echo 7 ;;
        *) echo none ;;
    esac
}
for file in "$root"/corpus/* "$root"/tests/fixtures/formats/* \
    "$root"/tests/fixtures/languages/* "$root"/tests/fixtures/bad/*; do
    byte=$(format_byte "${file##*.}")
    [ "$byte" = none ] && continue
    { printf "\\$(printf %03o "$byte")"; cat "$file"; } | seed segment "$(basename "$file")"
done
printf '\000Réunion à Sfax\n\n25 juin 2019, Sfax\n\nContexte\n\nLe **cadre juridique** des migrants.\n\nAnnexe: Exemples de pratiques\n\nAccueil à Nador\n\nLa municipalité de Nador accueille les migrants.\n' | seed segment small.txt
printf '\001# Rapport\n\n## Contexte\n\n- un point\n- **deux**\n\n## Annexe\n\n### Pratique à Tunis\n\nTexte.\n' | seed segment small.md
printf '\006<html><body><h1>Rapport</h1><h2>Contexte</h2><p>Le <b>cadre</b> juridique.</p><ul><li>un</li></ul><pre>a\n b</pre></body></html>' | seed segment small.html

# Query handling: queries as typed, and query strings.
n=0
while IFS= read -r line; do
    n=$((n + 1))
    printf '%s' "$line" | seed query "q$n"
done <<'QUERIES'
cadre juridique
"cadre juridique" migrants
l'intégration des migrants -Tunis
d’asile « société civile »
migrants OR réfugiés
مهاجرين
q=cadre+juridique
q=migrants&limit=100&offset=10
q=%22soci%C3%A9t%C3%A9+civile%22&kind=practice&city=Sfax
q=accueil&year=2019&lang=fr&doc=2019-06-sfax-societe-civile-gouvernance-migration.txt
q=municipalit%C3%A9&org=OIM&person=Ahmed&expand=false
q=&kind=section&kind=practice&limit=0
QUERIES
# Past the limits (1,000 characters, 32 words): a pasted page.
words=$(printf 'migrants cadre juridique %.0s' $(seq 1 15))
printf '%s' "$words" | seed query words
printf 'q=%s' "$(printf 'soci%%C3%%A9t%%C3%%A9+civile+%.0s' $(seq 1 80))" | seed query long

# Request handler: the first byte picks the server (0: open, with CORS;
# 1: token required), the rest is sent as it is.
crlf() { sed 's/$/\r/'; }
request() { # request NAME BYTE: stdin is the request, one header a line
    { printf "\\$(printf %03o "$2")"; crlf; } | seed handler "$1"
}
request search 0 <<'HTTP'
GET /search?q=cadre+juridique&limit=3 HTTP/1.1
Host: 127.0.0.1
Accept: application/json

HTTP
request page 0 <<'HTTP'
GET / HTTP/1.1
Host: 127.0.0.1
Accept: text/html,application/xhtml+xml;q=0.9,*/*;q=0.8

HTTP
request segment-html 0 <<'HTTP'
GET /segments/0b4d3be45a2fbf36 HTTP/1.1
Accept: text/html

HTTP
request pipelined 0 <<'HTTP'
GET /health HTTP/1.1

HEAD /documents HTTP/1.1

GET /metrics HTTP/1.0
Connection: keep-alive

HTTP
request preflight 0 <<'HTTP'
OPTIONS /search HTTP/1.1
Origin: http://intranet.example
Access-Control-Request-Method: GET

HTTP
request cors 0 <<'HTTP'
GET /search?q=migrants&kind=practice&city=Sfax HTTP/1.1
Origin: http://intranet.example

HTTP
request body 0 <<'HTTP'
POST /search HTTP/1.1
Content-Length: 5

q=abc
HTTP
request token 1 <<'HTTP'
GET /search?q=%22soci%C3%A9t%C3%A9+civile%22&offset=2 HTTP/1.1
Authorization: Bearer fuzz-token
Connection: close

HTTP
request no-token 1 <<'HTTP'
GET /openapi.json HTTP/1.1
Authorization: Basic Zm9vOmJhcg==

HTTP
# Past the limits: an 8 KiB URL, a 16 KiB head.
{ printf '\000GET /search?q=%s HTTP/1.1\r\n\r\n' "$(head -c 9000 /dev/zero | tr '\0' a)"; } | seed handler long-url
{ printf '\000GET /health HTTP/1.1\r\nX-Pad: %s\r\n\r\n' "$(head -c 17000 /dev/zero | tr '\0' b)"; } | seed handler large-head
echo "seeds: $(ls corpus/segment | wc -l) segment, $(ls corpus/query | wc -l) query, $(ls corpus/handler | wc -l) handler"
