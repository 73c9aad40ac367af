"""Writes the tokens of a CoNLL-2003 file one a line (blank line between sentences), the input
format of `sitrep nlp --format conll`, so sitrep and tools/spacy_conll.py see the same tokens.

Used only for measurement (sitrep-eval conll-ner); sitrep never runs Python.

    python tools/conll_tokens.py IN.conll OUT.txt

`-DOCSTART-` lines are passed through as `-DOCSTART-`; runs of blank lines collapse to one.
"""
import sys


def main():
    src, out = sys.argv[1:3]
    with open(src, encoding="utf-8") as f, open(out, "w", encoding="utf-8") as w:
        blank = True
        for line in f:
            fields = line.split()
            if not fields:
                if not blank:
                    w.write("\n")
                blank = True
                continue
            w.write(fields[0] + "\n")
            blank = False


if __name__ == "__main__":
    main()
