#!/usr/bin/python3
"""Write the corpus as JSON lines {"name", "title", "body"} for `tantivy index`,
and the schema (meta.json) of an empty tantivy-cli index: default tokenizer,
positions on title and body (phrases), name and title stored, body indexed
only (tantivy-cli's search and serve print every stored field of a hit, and
a 30 KB body per hit would measure JSON output, not search).

usage: python3 tantivy_jsonl.py CORPUS_DIR OUT.jsonl INDEX_DIR
"""
import json
import os
import sys

from corpus_files import reports


def text_field(name, stored):
    return {
        "name": name,
        "type": "text",
        "options": {
            "indexing": {"record": "position", "fieldnorms": True, "tokenizer": "default"},
            "stored": stored,
            "fast": False,
        },
    }


def main():
    corpus, out, index = sys.argv[1:4]
    n = 0
    with open(out, "w", encoding="utf-8") as fh:
        for name, title, body in reports(corpus):
            fh.write(json.dumps({"name": name, "title": title, "body": body}, ensure_ascii=False))
            fh.write("\n")
            n += 1
    os.makedirs(index, exist_ok=True)
    meta = {
        "index_settings": {"docstore_compression": "lz4", "docstore_blocksize": 16384},
        "segments": [],
        "schema": [
            {"name": "name", "type": "text",
             "options": {"indexing": None, "stored": True, "fast": False}},
            text_field("title", True),
            text_field("body", False),
        ],
        "opstamp": 0,
    }
    with open(os.path.join(index, "meta.json"), "w", encoding="utf-8") as fh:
        json.dump(meta, fh)
    print(f"tantivy: {n} documents written to {out}")


if __name__ == "__main__":
    main()
