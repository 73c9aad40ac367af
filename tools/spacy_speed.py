"""Python spaCy's whole-pipeline throughput on the same documents as
crates/sitrep-nlp/examples/pipeline_bench.rs. Used only for measurement (scripts/bench-nlp).

    python tools/spacy_speed.py MODEL_DIR TEXTS.jsonl [--processes N] [--rounds R]

Prints one JSON line: words/s (tokens that are not whitespace), load time, peak resident
memory of this process and its children (ru_maxrss; with --processes > 1 the larger of the two).
"""
import json
import resource
import sys
import time

import spacy


def main():
    args = sys.argv[1:]
    model, texts_path = args[0], args[1]
    processes = int(args[args.index("--processes") + 1]) if "--processes" in args else 1
    rounds = int(args[args.index("--rounds") + 1]) if "--rounds" in args else 3
    with open(texts_path, encoding="utf-8") as f:
        texts = [json.loads(l)["text"] for l in f if l.strip()]
    t0 = time.perf_counter()
    nlp = spacy.load(model)
    load_s = time.perf_counter() - t0
    words = tokens = 0
    t0 = time.perf_counter()
    for _ in range(rounds):
        for doc in nlp.pipe(texts, batch_size=32, n_process=processes):
            tokens += len(doc)
            words += sum(1 for t in doc if not t.is_space)
    secs = time.perf_counter() - t0
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    print(json.dumps({
        "tool": "spacy " + spacy.__version__,
        "processes": processes,
        "documents": len(texts) * rounds,
        "words": words,
        "tokens": tokens,
        "seconds": round(secs, 3),
        "words_per_s": round(words / secs),
        "load_s": round(load_s, 3),
        "peak_rss_mb": peak // 1024,
    }))


if __name__ == "__main__":
    main()
