//! Column encodings that are not plain SQL values: the compressed source and the offset map.

use std::io::Read;

use flate2::read::ZlibDecoder;
use flate2::{Compress, CompressError, Compression, FlushCompress, Status};
use sitrep_model::OffsetMap;

/// The value of `article_sources.encoding` this code writes.
pub(crate) const SOURCE_ENCODING: &str = "zlib";

/// Compresses decoded sources with zlib (fast level: sources are written once per article on
/// the ingest path and read rarely, to show a span in context).
///
/// One compressor is kept per store and reset between articles: a fresh one allocates and zeroes
/// some 300 KB of tables, which cost more than compressing a 5 KB article.
pub(crate) struct Compressor(Compress);

impl Compressor {
    pub(crate) fn new() -> Self {
        Compressor(Compress::new(Compression::fast(), true))
    }

    pub(crate) fn compress(&mut self, text: &str) -> Result<Vec<u8>, CompressError> {
        let input = text.as_bytes();
        self.0.reset();
        let mut out = Vec::with_capacity(input.len() / 2 + 64);
        loop {
            let consumed = usize::try_from(self.0.total_in())
                .unwrap_or(usize::MAX)
                .min(input.len());
            match self
                .0
                .compress_vec(&input[consumed..], &mut out, FlushCompress::Finish)?
            {
                Status::StreamEnd => return Ok(out),
                // Out of room in `out` (it never grows by itself).
                Status::Ok | Status::BufError => out.reserve(out.capacity().max(64)),
            }
        }
    }
}

/// Inverts [`Compressor::compress`]; `len` is the stored length of the decoded text.
pub(crate) fn decompress(data: &[u8], len: usize) -> Result<String, String> {
    let mut out = Vec::with_capacity(len);
    ZlibDecoder::new(data)
        .read_to_end(&mut out)
        .map_err(|e| format!("source does not decompress: {e}"))?;
    if out.len() != len {
        return Err(format!("source has {} bytes, {len} were stored", out.len()));
    }
    String::from_utf8(out).map_err(|e| format!("source is not utf-8: {e}"))
}

/// The offset map as little-endian `u32` triples `(body, source, len)`: 12 bytes per segment,
/// a third of its JSON.
pub(crate) fn encode_offsets(map: &OffsetMap) -> Vec<u8> {
    let mut out = Vec::with_capacity(map.segments().len() * 12);
    for s in map.segments() {
        out.extend_from_slice(&s.body.to_le_bytes());
        out.extend_from_slice(&s.source.to_le_bytes());
        out.extend_from_slice(&s.len.to_le_bytes());
    }
    out
}

/// Inverts [`encode_offsets`], checking that the segments are in order (as `OffsetMap::push`
/// requires) instead of trusting the bytes.
pub(crate) fn decode_offsets(data: &[u8]) -> Result<OffsetMap, String> {
    let chunks = data.chunks_exact(12);
    if !chunks.remainder().is_empty() {
        return Err(format!(
            "offset map has {} bytes, not a multiple of 12",
            data.len()
        ));
    }
    let mut map = OffsetMap::default();
    let mut body_end = 0u64;
    for chunk in chunks {
        let word = |i: usize| {
            let mut b = [0u8; 4];
            b.copy_from_slice(&chunk[i..i + 4]);
            u32::from_le_bytes(b)
        };
        let (body, source, len) = (word(0), word(4), word(8));
        if u64::from(body) < body_end {
            return Err("offset map segments are out of order".to_string());
        }
        body_end = u64::from(body) + u64::from(len);
        map.push(body as usize, source as usize, len as usize);
    }
    Ok(map)
}

/// A sentence embedding as little-endian `f32`s (4 bytes each).
pub(crate) fn encode_embedding(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// Inverts [`encode_embedding`].
pub(crate) fn decode_embedding(bytes: &[u8]) -> Result<Vec<f32>, String> {
    if !bytes.len().is_multiple_of(4) {
        return Err(format!(
            "embedding has {} bytes, not a whole number of floats",
            bytes.len()
        ));
    }
    Ok(bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_round_trips() {
        let text = "Talks resumed on Monday in Veldra. «Quoted» — ünïcode.".repeat(50);
        let mut compressor = Compressor::new();
        let packed = compressor.compress(&text).expect("compress");
        assert!(packed.len() < text.len());
        assert_eq!(decompress(&packed, text.len()), Ok(text.clone()));
        // Reused, the compressor gives the same bytes, also for inputs of other sizes.
        assert_eq!(compressor.compress(&text).expect("compress again"), packed);
        for probe in ["", "x", &"incompressible? no: ".repeat(5000)] {
            let packed = compressor.compress(probe).expect("compress");
            assert_eq!(decompress(&packed, probe.len()).as_deref(), Ok(probe));
        }
        assert!(decompress(&packed, text.len() + 1).is_err());
        assert!(decompress(b"not zlib", 8).is_err());
    }

    #[test]
    fn offsets_round_trip_and_reject_garbage() {
        let mut map = OffsetMap::default();
        map.push(0, 10, 5);
        map.push(7, 30, 4);
        map.push(20, 100, 1);
        let bytes = encode_offsets(&map);
        assert_eq!(bytes.len(), 36);
        assert_eq!(decode_offsets(&bytes), Ok(map));
        assert_eq!(decode_offsets(&[]), Ok(OffsetMap::default()));
        assert!(decode_offsets(&bytes[..13]).is_err());
        let mut swapped = bytes[12..24].to_vec();
        swapped.extend_from_slice(&bytes[..12]);
        assert!(decode_offsets(&swapped).is_err());
    }
}
