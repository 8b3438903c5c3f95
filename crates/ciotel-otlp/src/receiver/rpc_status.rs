//! `google.rpc.Status`: the error body OTLP/HTTP servers return, in protobuf or JSON.

/// The `google.rpc.Status` message (details are never sent).
#[derive(Clone, PartialEq, prost::Message)]
pub struct RpcStatus {
    /// A `google.rpc.Code` value.
    #[prost(int32, tag = "1")]
    pub code: i32,
    /// What is wrong, for a person.
    #[prost(string, tag = "2")]
    pub message: String,
}

impl RpcStatus {
    /// A status with `code` (a gRPC code number) and `message`.
    pub fn new(code: tonic::Code, message: impl Into<String>) -> Self {
        RpcStatus {
            code: code as i32,
            message: message.into(),
        }
    }

    /// The JSON form: `{"code":3,"message":"…"}`.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::json!({ "code": self.code, "message": self.message })
            .to_string()
            .into_bytes()
    }
}
