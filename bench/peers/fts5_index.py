#!/usr/bin/python3
"""Index the corpus with SQLite FTS5 for the benchmark: one row per file
(name unindexed, title, body), tokenize='unicode61 remove_diacritics 2' (no
French stemmer exists in FTS5), body stored so snippet() works, one
transaction, then 'optimize' so the index is one b-tree as after a merge.

usage: python3 fts5_index.py CORPUS_DIR DB_FILE
"""
import os
import sqlite3
import sys

from corpus_files import reports


def main():
    corpus, out = sys.argv[1], sys.argv[2]
    if os.path.exists(out):
        os.remove(out)
    con = sqlite3.connect(out)
    con.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(name UNINDEXED, title, body, "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    with con:
        con.executemany("INSERT INTO docs(name, title, body) VALUES (?, ?, ?)", reports(corpus))
    con.execute("INSERT INTO docs(docs) VALUES ('optimize')")
    con.commit()
    (n,) = con.execute("SELECT count(*) FROM docs").fetchone()
    con.close()
    print(f"fts5: {n} documents")


if __name__ == "__main__":
    main()
