//! One section of components (`receivers:`, `exporters:` …), each entry's config parsed in the
//! same pass as the file by the type named in its id, so errors keep their line and path.

use crate::component_id::ComponentId;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

/// The set of configs one section can hold: usually an enum with a variant per component type.
pub trait TypedConfig: Sized {
    /// The section's key, e.g. `receivers`; used in messages.
    const SECTION: &'static str;
    /// The component types this build knows, for "unknown type" messages.
    const TYPES: &'static [&'static str];

    /// Deserializes the config of a component of type `kind` (a known one: see [`TYPES`]).
    ///
    /// [`TYPES`]: TypedConfig::TYPES
    fn deserialize_typed<'de, D: Deserializer<'de>>(kind: &str, d: D) -> Result<Self, D::Error>;
}

/// Deserializes `T` where a YAML `null` (`batch:` with nothing under it) means "all defaults".
pub fn or_default<'de, T, D>(d: D) -> Result<T, D::Error>
where
    T: Deserialize<'de> + Default,
    D: Deserializer<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A section's components by id, in id order.
#[derive(Debug, Clone)]
pub struct ComponentMap<T>(pub BTreeMap<ComponentId, T>);

impl<T> Default for ComponentMap<T> {
    fn default() -> Self {
        ComponentMap(BTreeMap::new())
    }
}

impl<T> ComponentMap<T> {
    /// The config of `id`, if defined.
    pub fn get(&self, id: &ComponentId) -> Option<&T> {
        self.0.get(id)
    }

    /// Every id with its config.
    pub fn iter(&self) -> impl Iterator<Item = (&ComponentId, &T)> {
        self.0.iter()
    }

    /// Number of components defined.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when the section defines nothing.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'de, T: TypedConfig> Deserialize<'de> for ComponentMap<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Option::<ComponentMapInner<T>>::deserialize(d)
            .map(|m| ComponentMap(m.map(|m| m.0).unwrap_or_default()))
    }
}

struct ComponentMapInner<T>(BTreeMap<ComponentId, T>);

impl<'de, T: TypedConfig> Deserialize<'de> for ComponentMapInner<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(SectionVisitor(PhantomData))
    }
}

struct SectionVisitor<T>(PhantomData<T>);

impl<'de, T: TypedConfig> Visitor<'de> for SectionVisitor<T> {
    type Value = ComponentMapInner<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a map of {} by id (`type` or `type/name`)", T::SECTION)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            let id = ComponentId::parse(&key).map_err(de::Error::custom)?;
            if !T::TYPES.contains(&id.kind()) {
                return Err(de::Error::custom(format!(
                    "unknown {} type `{}` in `{}` (known: {})",
                    singular(T::SECTION),
                    id.kind(),
                    key,
                    T::TYPES.join(", ")
                )));
            }
            if out.contains_key(&id) {
                return Err(de::Error::custom(format!("`{key}` is defined twice")));
            }
            let config = map.next_value_seed(TypedSeed::<T> {
                kind: id.kind().to_string(),
                marker: PhantomData,
            })?;
            out.insert(id, config);
        }
        Ok(ComponentMapInner(out))
    }
}

struct TypedSeed<T> {
    kind: String,
    marker: PhantomData<T>,
}

impl<'de, T: TypedConfig> DeserializeSeed<'de> for TypedSeed<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        T::deserialize_typed(&self.kind, d)
    }
}

/// `receivers` → `receiver`, for messages.
pub fn singular(section: &str) -> &str {
    section.strip_suffix('s').unwrap_or(section)
}
