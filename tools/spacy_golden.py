"""Writes Python spaCy's analysis of the team-written test documents as golden JSON lines.

Used only to produce golden files for the Rust linguistic core's parity tests; sitrep never runs
Python. Run through scripts/spacy-golden, which sets up the environment.

    python tools/spacy_golden.py MODEL_DIR SENTENCES.txt OUT.jsonl
"""
import json
import sys

import spacy


def main():
    model_dir, sentences, out = sys.argv[1:4]
    nlp = spacy.load(model_dir)
    docs = []
    with open(sentences, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            docs.append(line.replace("\\n", "\n"))
    with open(out, "w", encoding="utf-8") as w:
        for text in docs:
            doc = nlp(text)
            record = {
                "text": text,
                "spacy": spacy.__version__,
                "tokens": [
                    {
                        "text": t.text,
                        "idx": len(text[: t.idx].encode("utf-8")),
                        "ws": t.whitespace_ != "",
                        "tag": t.tag_,
                        "pos": t.pos_,
                        "lemma": t.lemma_,
                        "head": t.head.i,
                        "dep": t.dep_,
                        "ent_iob": t.ent_iob_,
                        "ent_type": t.ent_type_,
                        "sent_start": bool(t.is_sent_start),
                    }
                    for t in doc
                ],
                "ents": [
                    {"start": e.start, "end": e.end, "label": e.label_} for e in doc.ents
                ],
            }
            w.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
