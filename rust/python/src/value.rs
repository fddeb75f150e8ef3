//! Python data as a tree of exact types, between pythonize and serde.
//!
//! pythonize fills a typed field by conversion: a `bool` field takes the
//! truthiness of anything (`NaN`, `-1`, `"no"` all read as true) and a
//! number field takes `True`. Reading the Python object into this
//! self-describing tree first (pythonize's `deserialize_any`, which follows
//! the object's own type) and deserialising the config or state from the
//! tree makes serde compare exact types: `NaN` for a `bool` is "invalid
//! type: floating point `NaN`, expected a boolean", `True` for a number
//! likewise, as Gymnasium's spaces are strict about `bool` versus `int`.

use std::fmt;

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, Deserialize, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    None,
    Bool(bool),
    U64(u64),
    I64(i64),
    U128(u128),
    I128(i128),
    F64(f64),
    Str(String),
    Bytes(Vec<u8>),
    Seq(Vec<Value>),
    Map(Vec<(Value, Value)>),
}

impl Value {
    /// The first key (as a dotted path) that `self` has and `known` lacks,
    /// looking into maps and sequences both hold: with `known` the
    /// re-serialised form of what serde read from `self`, these are the
    /// keys serde ignored.
    pub fn first_unknown_key(&self, known: &Value, path: &str) -> Option<String> {
        let join = |k: &str| {
            if path.is_empty() {
                k.to_string()
            } else {
                format!("{path}.{k}")
            }
        };
        match (self, known) {
            (Value::Map(given), Value::Map(kept)) => given.iter().find_map(|(k, v)| {
                let name = k.key_name();
                match kept.iter().find(|(kk, _)| kk == k) {
                    None => Some(join(&name)),
                    Some((_, kv)) => v.first_unknown_key(kv, &join(&name)),
                }
            }),
            (Value::Seq(given), Value::Seq(kept)) => given
                .iter()
                .zip(kept)
                .enumerate()
                .find_map(|(i, (v, kv))| v.first_unknown_key(kv, &join(&i.to_string()))),
            _ => None,
        }
    }

    fn key_name(&self) -> String {
        match self {
            Value::Str(s) => s.clone(),
            other => format!("{other:?}"),
        }
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("plain Python data (None, bool, int, float, str, list, dict)")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::I64(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::U64(v))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(Value::I128(v))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(Value::U128(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::F64(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Bytes(v.to_vec()))
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::None)
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        // No size hint: a hostile length must not reserve memory up front.
        let mut out = Vec::new();
        while let Some(v) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Seq(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(kv) = map.next_entry()? {
            out.push(kv);
        }
        Ok(Value::Map(out))
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

type Error = de::value::Error;

impl<'de> IntoDeserializer<'de, Error> for Value {
    type Deserializer = Value;
    fn into_deserializer(self) -> Value {
        self
    }
}

impl<'de> Deserializer<'de> for Value {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Value::None => visitor.visit_unit(),
            Value::Bool(v) => visitor.visit_bool(v),
            Value::U64(v) => visitor.visit_u64(v),
            Value::I64(v) => visitor.visit_i64(v),
            Value::U128(v) => visitor.visit_u128(v),
            Value::I128(v) => visitor.visit_i128(v),
            Value::F64(v) => visitor.visit_f64(v),
            Value::Str(v) => visitor.visit_string(v),
            Value::Bytes(v) => visitor.visit_byte_buf(v),
            Value::Seq(v) => visitor.visit_seq(SeqDeserializer::new(v.into_iter())),
            Value::Map(v) => visitor.visit_map(MapDeserializer::new(v.into_iter())),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Value::None => visitor.visit_none(),
            other => visitor.visit_some(other),
        }
    }

    // A newtype struct (`Rng(Xoshiro256PlusPlus)`) is serialised as its
    // content, so it is read from the content as is.
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self {
            // A unit variant by name (`"fifo"`).
            Value::Str(s) => visitor.visit_enum(s.into_deserializer()),
            // A variant with data: `{"name": data}`.
            Value::Map(mut entries) if entries.len() == 1 => {
                let (k, v) = entries.remove(0);
                visitor.visit_enum(de::value::MapAccessDeserializer::new(MapDeserializer::new(
                    std::iter::once((k, v)),
                )))
            }
            other => Err(de::Error::invalid_type(other.unexpected(), &visitor)),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

impl Value {
    fn unexpected(&self) -> de::Unexpected<'_> {
        match self {
            Value::None => de::Unexpected::Unit,
            Value::Bool(v) => de::Unexpected::Bool(*v),
            Value::U64(v) => de::Unexpected::Unsigned(*v),
            Value::I64(v) => de::Unexpected::Signed(*v),
            Value::U128(_) | Value::I128(_) => de::Unexpected::Other("a 128-bit integer"),
            Value::F64(v) => de::Unexpected::Float(*v),
            Value::Str(v) => de::Unexpected::Str(v),
            Value::Bytes(v) => de::Unexpected::Bytes(v),
            Value::Seq(_) => de::Unexpected::Seq,
            Value::Map(_) => de::Unexpected::Map,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_float_is_not_a_bool_and_a_bool_is_not_a_number() {
        assert!(bool::deserialize(Value::F64(f64::NAN)).is_err());
        assert!(bool::deserialize(Value::I64(-1)).is_err());
        assert!(f64::deserialize(Value::Bool(true)).is_err());
        assert!(u32::deserialize(Value::Bool(true)).is_err());
        assert!(u32::deserialize(Value::F64(1e12)).is_err());
        assert!(u32::deserialize(Value::U64(1 << 40)).is_err());
        assert_eq!(f64::deserialize(Value::I64(3)).unwrap(), 3.0);
        assert!(bool::deserialize(Value::Bool(true)).unwrap());
    }

    #[test]
    fn a_newtype_struct_reads_its_content() {
        #[derive(Debug, PartialEq, serde::Deserialize)]
        struct Inner {
            s: [u64; 2],
        }
        #[derive(Debug, PartialEq, serde::Deserialize)]
        struct Outer(Inner);
        let v = Value::Map(vec![(
            Value::Str("s".into()),
            Value::Seq(vec![Value::U64(1), Value::U64(2)]),
        )]);
        assert_eq!(Outer::deserialize(v).unwrap(), Outer(Inner { s: [1, 2] }));
    }

    #[test]
    fn unknown_keys_are_found_at_any_depth() {
        let s = |x: &str| Value::Str(x.into());
        let known = Value::Map(vec![(s("a"), Value::Map(vec![(s("b"), Value::I64(1))]))]);
        let given = Value::Map(vec![(
            s("a"),
            Value::Map(vec![(s("b"), Value::I64(1)), (s("c"), Value::I64(2))]),
        )]);
        assert_eq!(given.first_unknown_key(&known, ""), Some("a.c".into()));
        assert_eq!(known.first_unknown_key(&known, ""), None);
    }
}
