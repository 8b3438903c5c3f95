//! Decoding the messages shared by all signals: attribute values, resources and scopes.

use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::common::v1::{
    AnyValue, ArrayValue, EntityRef, InstrumentationScope, KeyValue, KeyValueList,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use serde::de::MapAccess;

use super::bytes::base64;
use super::scalar::{boolean, double, int, string};
use super::{Fields, List, msg, read, read_opt, set, skip};

impl Fields for AnyValue {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        let value = match key {
            "stringValue" => read_opt(map, string("stringValue"))?.map(Value::StringValue),
            "boolValue" => read_opt(map, boolean("boolValue"))?.map(Value::BoolValue),
            "intValue" => read_opt(map, int("intValue"))?.map(Value::IntValue),
            "doubleValue" => read_opt(map, double("doubleValue"))?.map(Value::DoubleValue),
            "arrayValue" => read_opt(map, msg("arrayValue"))?.map(Value::ArrayValue),
            "kvlistValue" => read_opt(map, msg("kvlistValue"))?.map(Value::KvlistValue),
            "bytesValue" => read_opt(map, base64("bytesValue"))?.map(Value::BytesValue),
            "stringValueStrindex" => {
                read_opt(map, int("stringValueStrindex"))?.map(Value::StringValueStrindex)
            }
            _ => return skip(map),
        };
        set(&mut self.value, value);
        Ok(())
    }
}

impl Fields for ArrayValue {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "values" => self.values = read(map, List(msg("values")))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for KeyValueList {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "values" => self.values = read(map, List(msg("values")))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for KeyValue {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "key" => self.key = read(map, string("key"))?,
            "value" => self.value = read_opt(map, msg("value"))?,
            "keyStrindex" => self.key_strindex = read(map, int("keyStrindex"))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for InstrumentationScope {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "name" => self.name = read(map, string("name"))?,
            "version" => self.version = read(map, string("version"))?,
            "attributes" => self.attributes = read(map, List(msg("attributes")))?,
            "droppedAttributesCount" => {
                self.dropped_attributes_count = read(map, int("droppedAttributesCount"))?
            }
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for Resource {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "attributes" => self.attributes = read(map, List(msg("attributes")))?,
            "droppedAttributesCount" => {
                self.dropped_attributes_count = read(map, int("droppedAttributesCount"))?
            }
            "entityRefs" => self.entity_refs = read(map, List(msg("entityRefs")))?,
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl Fields for EntityRef {
    fn field<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "schemaUrl" => self.schema_url = read(map, string("schemaUrl"))?,
            "type" => self.r#type = read(map, string("type"))?,
            "idKeys" => self.id_keys = read(map, List(string("idKeys")))?,
            "descriptionKeys" => {
                self.description_keys = read(map, List(string("descriptionKeys")))?
            }
            _ => skip(map)?,
        }
        Ok(())
    }
}
