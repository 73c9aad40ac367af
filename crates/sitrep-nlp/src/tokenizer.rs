//! spaCy's rule-based tokenizer (prefixes, suffixes, infixes, special cases, URL and token
//! matches), loaded from the model's `tokenizer` file.
