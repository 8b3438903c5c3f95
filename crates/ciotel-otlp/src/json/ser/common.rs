//! Encoding the messages shared by all signals: attribute values, resources and scopes.

use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::common::v1::{
    AnyValue, ArrayValue, EntityRef, InstrumentationScope, KeyValue, KeyValueList,
};
use opentelemetry_proto::tonic::resource::v1::Resource;

use super::{Encode, Obj};

impl Encode for AnyValue {
    /// An AnyValue with no value is written as `{}`.
    fn members(&self, obj: &mut Obj<'_>) {
        let Some(value) = &self.value else { return };
        let obj = obj.always();
        match value {
            Value::StringValue(v) => obj.string("stringValue", v),
            Value::BoolValue(v) => obj.boolean("boolValue", *v),
            Value::IntValue(v) => obj.int64("intValue", *v),
            Value::DoubleValue(v) => obj.double("doubleValue", *v),
            Value::ArrayValue(v) => obj.message("arrayValue", v),
            Value::KvlistValue(v) => obj.message("kvlistValue", v),
            Value::BytesValue(v) => obj.base64("bytesValue", v),
            Value::StringValueStrindex(v) => obj.int32("stringValueStrindex", *v),
        }
    }
}

impl Encode for ArrayValue {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.messages("values", &self.values);
    }
}

impl Encode for KeyValueList {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.messages("values", &self.values);
    }
}

impl Encode for KeyValue {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.string("key", &self.key);
        obj.message("value", self.value.as_ref());
        obj.int32("keyStrindex", self.key_strindex);
    }
}

impl Encode for InstrumentationScope {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.string("name", &self.name);
        obj.string("version", &self.version);
        obj.messages("attributes", &self.attributes);
        obj.int32("droppedAttributesCount", self.dropped_attributes_count);
    }
}

impl Encode for Resource {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.messages("attributes", &self.attributes);
        obj.int32("droppedAttributesCount", self.dropped_attributes_count);
        obj.messages("entityRefs", &self.entity_refs);
    }
}

impl Encode for EntityRef {
    fn members(&self, obj: &mut Obj<'_>) {
        obj.string("schemaUrl", &self.schema_url);
        obj.string("type", &self.r#type);
        obj.strings("idKeys", &self.id_keys);
        obj.strings("descriptionKeys", &self.description_keys);
    }
}
