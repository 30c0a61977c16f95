#!/usr/bin/python3
"""Index the corpus with Xapian for the benchmark: French stemmer (STEM_SOME,
quest's default strategy), positions kept so phrases work, document data =
name and title only (quest prints the data of each hit).

usage: /usr/bin/python3 xapian_index.py CORPUS_DIR DB_DIR
Debian's python3-xapian is built for /usr/bin/python3, not for a pyenv one.
"""
import sys

import xapian

from corpus_files import reports


def main():
    corpus, out = sys.argv[1], sys.argv[2]
    db = xapian.WritableDatabase(out, xapian.DB_CREATE_OR_OVERWRITE)
    tg = xapian.TermGenerator()
    tg.set_stemmer(xapian.Stem("french"))
    tg.set_stemming_strategy(xapian.TermGenerator.STEM_SOME)
    n = 0
    for name, title, body in reports(corpus):
        doc = xapian.Document()
        tg.set_document(doc)
        tg.index_text(title)
        tg.increase_termpos()
        tg.index_text(body)
        doc.set_data(f"{name}\t{title}")
        db.add_document(doc)
        n += 1
    db.commit()
    db.close()
    print(f"xapian: {n} documents")


if __name__ == "__main__":
    main()
