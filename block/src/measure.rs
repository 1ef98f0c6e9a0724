//! For benches and experiments, not for the storage engine: every codec forced in turn, and
//! where a block's value section starts, so that `benches/codec.rs` can print what each codec
//! would cost on real data. Hidden from the docs; not a stable API.

use crate::header::{self, TimeCodec};
use crate::types::{FieldType, ValuesRef};
use crate::varint::Reader;
use crate::Result;

/// The value codecs of `field_type`, by code.
pub fn codec_names(field_type: FieldType) -> &'static [&'static str] {
    match field_type {
        FieldType::Float => &["gorilla", "ulp", "decimal"],
        FieldType::Integer | FieldType::Unsigned => &["delta", "for"],
        FieldType::Boolean => &["bitmap", "runs"],
        FieldType::String => &["plain", "dict", "zstd"],
    }
}

/// [`crate::encode`] with the value codec forced to `codec` (an index into
/// [`codec_names`]); `Ok(false)` when that codec cannot hold the values.
pub fn encode_with(times: &[i64], values: ValuesRef<'_>, codec: u8, out: &mut Vec<u8>) -> Result<bool> {
    crate::encode_with(times, values, Some(codec), out)
}

/// The offset of the value section in `block`: what comes before is header and timestamps.
pub fn value_offset(block: &[u8]) -> Result<usize> {
    let mut r = Reader::new(block);
    let p = header::read(&mut r)?;
    if p.time_codec == TimeCodec::Packed {
        crate::time::decode(&mut r, &p, &mut Vec::new())?;
    }
    Ok(r.pos())
}
