//! The neural components: weights from the model's thinc msgpack files, tok2vec, tagger,
//! parser and NER.
