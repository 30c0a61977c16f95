"""Shared by the peer indexers: the corpus files in a fixed order, each split
into a title (its first line) and a body (the rest), as every peer is fed."""
import os


def reports(corpus):
    """Yields (name, title, body) for each .txt/.md file under `corpus`."""
    names = []
    for root, _dirs, files in os.walk(corpus):
        for f in files:
            if f.endswith((".txt", ".md")):
                names.append(os.path.relpath(os.path.join(root, f), corpus))
    for name in sorted(names):
        with open(os.path.join(corpus, name), encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        title, _, body = text.partition("\n")
        yield name, title.strip(), body
