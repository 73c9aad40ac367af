//! Reading thinc's serialized models (`Model.to_bytes`).
//!
//! The file is one msgpack map `{"nodes", "attrs", "params", "shims"}` whose lists run over the
//! model's nodes in `Model.walk()` order: `nodes[i]` holds `{"index", "name", "dims", "refs"}`,
//! `attrs[i]` maps an attribute name to its value, itself msgpack-encoded into a byte string, and
//! `params[i]` maps a parameter name to an array in srsly's msgpack-numpy form: a map with the
//! byte-string keys `nd`, `type` (numpy dtype, `<f4` here), `kind`, `shape` and `data` (the raw
//! little-endian values, C order).

use std::path::{Path, PathBuf};

use rmpv::Value;

use crate::NlpError;

/// A parameter array: its shape and its values in row-major order.
#[derive(Debug, Clone)]
pub struct Array {
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

/// One node of a thinc model tree, without its children links.
#[derive(Debug, Clone)]
pub struct Node {
    pub name: String,
    /// Attributes, decoded from their msgpack bytes, in file order.
    pub attrs: Vec<(String, Value)>,
    /// Parameters that are set (thinc writes unset ones as nil; they are left out).
    pub params: Vec<(String, Array)>,
}

impl Node {
    pub fn attr(&self, name: &str) -> Option<&Value> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    pub fn param(&self, name: &str) -> Option<&Array> {
        self.params.iter().find(|(n, _)| n == name).map(|(_, a)| a)
    }
}

/// A whole serialized model: its nodes in walk order.
#[derive(Debug, Clone)]
pub struct ThincModel {
    pub path: PathBuf,
    pub nodes: Vec<Node>,
}

impl ThincModel {
    /// Reads and decodes a thinc model file.
    pub fn read(path: &Path) -> Result<Self, NlpError> {
        let bytes = crate::read_file(path)?;
        Self::from_bytes(path, &bytes)
    }

    /// Decodes the bytes of a thinc model file; `path` only names it in errors.
    pub fn from_bytes(path: &Path, bytes: &[u8]) -> Result<Self, NlpError> {
        let err = |reason: String| NlpError::format(path, reason);
        let root = rmpv::decode::read_value(&mut &bytes[..])
            .map_err(|e| err(format!("invalid msgpack: {e}")))?;
        let list = |key: &str| -> Result<&Vec<Value>, NlpError> {
            map_get(&root, key)
                .and_then(Value::as_array)
                .ok_or_else(|| err(format!("missing list {key:?}")))
        };
        let nodes = list("nodes")?;
        let attrs = list("attrs")?;
        let params = list("params")?;
        if attrs.len() != nodes.len() || params.len() != nodes.len() {
            return Err(err("nodes, attrs and params differ in length".into()));
        }
        let mut out = Vec::with_capacity(nodes.len());
        for (i, ((node, attrs), params)) in nodes.iter().zip(attrs).zip(params).enumerate() {
            let name = map_get(node, "name")
                .and_then(Value::as_str)
                .ok_or_else(|| err(format!("node {i} has no name")))?
                .to_string();
            let mut node_attrs = Vec::new();
            for (key, value) in attrs.as_map().map(Vec::as_slice).unwrap_or_default() {
                let key = key_str(key).ok_or_else(|| err(format!("node {i}: bad attr key")))?;
                let value = match value {
                    Value::Binary(b) => rmpv::decode::read_value(&mut &b[..])
                        .map_err(|e| err(format!("node {i} attr {key}: {e}")))?,
                    other => other.clone(),
                };
                node_attrs.push((key.to_string(), value));
            }
            let mut node_params = Vec::new();
            for (key, value) in params.as_map().map(Vec::as_slice).unwrap_or_default() {
                let key = key_str(key).ok_or_else(|| err(format!("node {i}: bad param key")))?;
                if value.is_nil() {
                    continue;
                }
                let array = decode_array(value)
                    .map_err(|reason| err(format!("node {i} ({name}) param {key}: {reason}")))?;
                node_params.push((key.to_string(), array));
            }
            out.push(Node {
                name,
                attrs: node_attrs,
                params: node_params,
            });
        }
        Ok(ThincModel {
            path: path.to_path_buf(),
            nodes: out,
        })
    }

    /// The nodes with this exact name, in walk order.
    pub fn named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.nodes.iter().filter(move |n| n.name == name)
    }

    pub fn format_error(&self, reason: impl Into<String>) -> NlpError {
        NlpError::format(&self.path, reason)
    }
}

/// A map key as text: msgpack strings and byte strings both occur.
fn key_str(key: &Value) -> Option<&str> {
    match key {
        Value::String(s) => s.as_str(),
        Value::Binary(b) => std::str::from_utf8(b).ok(),
        _ => None,
    }
}

/// Looks up a text key in a msgpack map.
pub(crate) fn map_get<'a>(map: &'a Value, key: &str) -> Option<&'a Value> {
    map.as_map()?
        .iter()
        .find(|(k, _)| key_str(k) == Some(key))
        .map(|(_, v)| v)
}

fn decode_array(value: &Value) -> Result<Array, String> {
    if !value.is_map() {
        return Err("not a msgpack-numpy map".into());
    }
    let dtype = match map_get(value, "type") {
        Some(Value::String(s)) => s.as_str().unwrap_or_default().to_string(),
        Some(Value::Binary(b)) => String::from_utf8_lossy(b).into_owned(),
        _ => return Err("no dtype".into()),
    };
    if dtype != "<f4" {
        return Err(format!("unsupported dtype {dtype:?} (only <f4)"));
    }
    let shape = map_get(value, "shape")
        .and_then(Value::as_array)
        .ok_or("no shape")?
        .iter()
        .map(|d| d.as_u64().map(|d| d as usize).ok_or("bad shape"))
        .collect::<Result<Vec<_>, _>>()?;
    let Some(Value::Binary(bytes)) = map_get(value, "data") else {
        return Err("no data".into());
    };
    let len: usize = shape.iter().product();
    if bytes.len() != len * 4 {
        return Err(format!(
            "shape {shape:?} needs {} bytes, data has {}",
            len * 4,
            bytes.len()
        ));
    }
    let data = bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    Ok(Array { shape, data })
}
