"""Splits the documents written by `sitrep-eval sentence-texts` into sentences with Python
spaCy and writes the predicted sentence starts as UTF-8 byte offsets.

Used only for measurement: its output is scored by `sitrep-eval sentences`. sitrep never runs
Python.

    python tools/spacy_sents.py MODEL_DIR TEXTS.jsonl OUT.jsonl

Input lines: {"corpus", "doc", "text"}. Output lines: {"corpus", "doc", "starts"}, where
`starts` are byte offsets into the UTF-8 text of each `doc.sents` start (0 included), from the
full `nlp(text)` pipeline (the parser sets the boundaries). A sentence that starts on whitespace
(spaCy keeps newlines as tokens) is counted from its first non-space character. The time spent
in the pipeline is printed to stderr.
"""
import json
import sys
import time

import spacy


def main():
    model_dir, src, out = sys.argv[1:4]
    nlp = spacy.load(model_dir)
    with open(src, encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    t0 = time.perf_counter()
    results = []
    nbytes = 0
    for rec in records:
        text = rec["text"]
        nbytes += len(text.encode("utf-8"))
        doc = nlp(text)
        starts = []
        for sent in doc.sents:
            c = sent.start_char
            while c < len(text) and text[c].isspace():
                c += 1
            if c >= len(text):
                continue
            b = len(text[:c].encode("utf-8"))
            if not starts or starts[-1] != b:
                starts.append(b)
        results.append({"corpus": rec["corpus"], "doc": rec["doc"], "starts": starts})
    t_run = time.perf_counter() - t0
    with open(out, "w", encoding="utf-8") as w:
        for r in results:
            w.write(json.dumps(r) + "\n")
    print(
        f"spacy {spacy.__version__}: {len(records)} documents, {nbytes} bytes; pipeline "
        f"{t_run:.2f}s ({nbytes / t_run / 1e6:.3f} MB/s, one process)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
