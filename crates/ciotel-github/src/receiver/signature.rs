//! `X-Hub-Signature-256`: GitHub signs each delivery's raw body with HMAC-SHA256 keyed by the
//! webhook's secret and sends `sha256=<hex>`. Checked before the body is parsed, compared in
//! constant time (`hmac`'s `verify_slice`).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header GitHub puts the signature in.
pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";

/// Why a delivery's signature was not accepted; each is answered 401.
///
/// Exists so the refusal can say what to fix: a missing header usually means the webhook has
/// no secret set in GitHub, a mismatch that the two secrets differ.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No `X-Hub-Signature-256` header.
    #[error(
        "missing X-Hub-Signature-256 header: this receiver verifies signatures; set the same \
         secret on the webhook in GitHub"
    )]
    Missing,
    /// The header is not `sha256=` followed by 64 hex digits.
    #[error("malformed X-Hub-Signature-256 header: expected `sha256=` and 64 hex digits")]
    Malformed,
    /// The signature does not match the body under this receiver's secret.
    #[error(
        "X-Hub-Signature-256 does not match the body: the webhook's secret in GitHub differs \
         from this receiver's `secret`, or the body was changed on the way"
    )]
    Mismatch,
}

/// Verifies `header` (the `X-Hub-Signature-256` value, if any) over the raw `body`.
///
/// Exists as the receiver's one authentication check, separate so it can be held against
/// GitHub's documented test vector.
pub fn verify(secret: &[u8], header: Option<&[u8]>, body: &[u8]) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let hex_digits = header
        .strip_prefix(b"sha256=")
        .ok_or(SignatureError::Malformed)?;
    let mut expected = [0u8; 32];
    hex::decode_to_slice(hex_digits, &mut expected).map_err(|_| SignatureError::Malformed)?;
    mac(secret, body)
        .verify_slice(&expected)
        .map_err(|_| SignatureError::Mismatch)
}

/// The header value GitHub would send for `body` under `secret`.
///
/// Exists for tests and tools that play GitHub's part.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    format!(
        "sha256={}",
        hex::encode(mac(secret, body).finalize().into_bytes())
    )
}

fn mac(secret: &[u8], body: &[u8]) -> Hmac<Sha256> {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(body);
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GitHub's example from "Validating webhook deliveries".
    const SECRET: &[u8] = b"It's a Secret to Everybody";
    const BODY: &[u8] = b"Hello, World!";
    const SIGNATURE: &str =
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    #[test]
    fn matches_githubs_documented_example() {
        assert_eq!(sign(SECRET, BODY), SIGNATURE);
        assert_eq!(verify(SECRET, Some(SIGNATURE.as_bytes()), BODY), Ok(()));
        let upper = SIGNATURE.replace("757107ea", "757107EA");
        assert_eq!(verify(SECRET, Some(upper.as_bytes()), BODY), Ok(()));
    }

    #[test]
    fn refuses_missing_malformed_and_wrong_signatures() {
        assert_eq!(verify(SECRET, None, BODY), Err(SignatureError::Missing));
        for bad in [
            "",
            "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
            "sha1=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
            "sha256=757107ea",
            "sha256=zz7107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
        ] {
            assert_eq!(
                verify(SECRET, Some(bad.as_bytes()), BODY),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
        assert_eq!(
            verify(b"other secret", Some(SIGNATURE.as_bytes()), BODY),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(SECRET, Some(SIGNATURE.as_bytes()), b"Hello, World?"),
            Err(SignatureError::Mismatch)
        );
    }
}
