"""Runs Python spaCy's full pipeline on the pre-tokenised sentences of a CoNLL-2003 file and
writes `token<TAB>BIO` lines with spaCy's own entity types (OntoNotes: PERSON, GPE, ...).

Used only for measurement: its output is scored by `sitrep-eval conll-ner` beside sitrep's
`sitrep nlp --format conll`. sitrep never runs Python.

    python tools/spacy_conll.py MODEL_DIR IN.conll OUT.tsv

Each sentence becomes `Doc(nlp.vocab, words=tokens)` (spaces between all tokens, spaCy's
tokenizer is not run) and goes through every pipeline component. Blank lines separate sentences;
`-DOCSTART-` lines are written as `-DOCSTART-<TAB>O`. The time spent in the pipeline is printed
to stderr.
"""
import sys
import time

import spacy
from spacy.tokens import Doc


def read_conll(path):
    """Yields ("docstart", None) or ("sent", [tokens])."""
    sent = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.split()
            if not fields:
                if sent:
                    yield "sent", sent
                    sent = []
                continue
            if fields[0] == "-DOCSTART-":
                if sent:
                    yield "sent", sent
                    sent = []
                yield "docstart", None
                continue
            sent.append(fields[0])
    if sent:
        yield "sent", sent


def main():
    model_dir, src, out = sys.argv[1:4]
    t0 = time.perf_counter()
    nlp = spacy.load(model_dir)
    t_load = time.perf_counter() - t0
    items = list(read_conll(src))
    docs = [Doc(nlp.vocab, words=toks) for kind, toks in items if kind == "sent"]
    t0 = time.perf_counter()
    done = []
    for doc in docs:
        for _name, proc in nlp.pipeline:
            doc = proc(doc)
        done.append(doc)
    t_run = time.perf_counter() - t0
    ntok = sum(len(d) for d in done)
    it = iter(done)
    with open(out, "w", encoding="utf-8") as w:
        first = True
        for kind, _toks in items:
            if not first:
                w.write("\n")
            first = False
            if kind == "docstart":
                w.write("-DOCSTART-\tO\n")
                continue
            doc = next(it)
            for tok in doc:
                tag = tok.ent_iob_ + "-" + tok.ent_type_ if tok.ent_iob_ in ("B", "I") else "O"
                w.write(f"{tok.text}\t{tag}\n")
    print(
        f"spacy {spacy.__version__}: {len(done)} sentences, {ntok} tokens; "
        f"load {t_load:.2f}s, pipeline {t_run:.2f}s ({ntok / t_run:.0f} tokens/s, one process)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
