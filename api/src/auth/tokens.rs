//! Access tokens: short-lived EdDSA JWTs (RFC 9068 `at+jwt`) with a pinned algorithm
//! and strict checks of `exp`, `iss`, `aud`, `sub` and the key id.
use std::{collections::HashMap, time::Duration};

use jsonwebtoken::{Algorithm, Header, Validation, decode, decode_header, encode};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::caller::SubjectKind;
use super::keys::Keys;
use crate::domain::roles::Role;

pub const ACCESS_TOKEN_TYPE: &str = "at+jwt";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct AccessClaims {
    pub iss: String,
    pub aud: String,
    /// The person's or machine client's id.
    pub sub: String,
    pub exp: i64,
    pub iat: i64,
    pub nbf: i64,
    pub jti: String,
    pub kind: SubjectKind,
    /// The affiliate the subject belongs to.
    pub aff: Uuid,
    #[serde(default)]
    pub roles: Vec<Role>,
    /// Space-separated scopes of a machine client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// The subject's token generation when issued: a token of an older generation is revoked.
    #[serde(default)]
    pub generation: i64,
}

#[derive(Clone)]
pub struct TokenSettings {
    pub issuer: String,
    pub audience: String,
    pub access_ttl: Duration,
}

pub struct Issued {
    pub token: String,
    pub expires_in: u64,
}

/// Who a token is for.
pub struct Subject {
    pub kind: SubjectKind,
    pub id: Uuid,
    pub affiliate: Uuid,
    pub roles: Vec<Role>,
    pub scope: Option<String>,
    pub generation: i64,
}

pub fn issue(keys: &Keys, settings: &TokenSettings, subject: Subject) -> Result<Issued, jsonwebtoken::errors::Error> {
    let now = chrono::Utc::now().timestamp();
    let ttl = settings.access_ttl.as_secs();
    let claims = AccessClaims {
        iss: settings.issuer.clone(),
        aud: settings.audience.clone(),
        sub: subject.id.to_string(),
        exp: now + ttl as i64,
        iat: now,
        nbf: now,
        jti: Uuid::now_v7().to_string(),
        kind: subject.kind,
        aff: subject.affiliate,
        roles: subject.roles,
        scope: subject.scope,
        generation: subject.generation,
    };
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(keys.kid.clone());
    header.typ = Some(ACCESS_TOKEN_TYPE.to_string());
    Ok(Issued { token: encode(&header, &claims, keys.encoding())?, expires_in: ttl })
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TokenError {
    #[error("not a JWT")]
    Malformed,
    #[error("algorithm not accepted")]
    Algorithm,
    #[error("not an access token")]
    WrongType,
    #[error("unknown signing key")]
    UnknownKey,
    #[error("{0}")]
    Invalid(String),
}

/// Checks an access token: from the cache when its signature was verified before (only the
/// time claims can change their verdict), otherwise in full, remembering the result.
pub fn verify(keys: &Keys, settings: &TokenSettings, token: &str) -> Result<AccessClaims, TokenError> {
    let now = chrono::Utc::now().timestamp();
    let key = VerifiedTokens::key(settings, token);
    if let Some(claims) = keys.verified.get(&key, now) {
        return Ok(claims);
    }
    let claims = verify_in_full(keys, settings, token)?;
    keys.verified.insert(key, &claims, now);
    Ok(claims)
}

/// Clock leeway, in seconds, for `exp` and `nbf`.
const LEEWAY: i64 = 5;

/// Access tokens already verified, by the SHA-256 of the token (with the issuer and
/// audience it was checked against). Verifying the Ed25519
/// signature is most of an authenticated request's CPU (about 60 µs of 170 µs in the
/// benchmark), and a client sends the same token for its whole life (15 minutes by
/// default). A token's bytes fix everything checked but the time claims, which are
/// checked again on every use. The keys are fixed for the process, so an entry never
/// needs re-verifying; the map is bounded and sheds expired entries when full.
#[derive(Default)]
pub struct VerifiedTokens {
    entries: std::sync::Mutex<HashMap<[u8; 32], AccessClaims>>,
}

const VERIFIED_CAPACITY: usize = 10_000;

impl VerifiedTokens {
    fn key(settings: &TokenSettings, token: &str) -> [u8; 32] {
        let mut hash = Sha256::new();
        for part in [settings.issuer.as_bytes(), b"\0", settings.audience.as_bytes(), b"\0", token.as_bytes()] {
            hash.update(part);
        }
        hash.finalize().into()
    }

    fn get(&self, key: &[u8; 32], now: i64) -> Option<AccessClaims> {
        let entries = self.entries.lock().ok()?;
        let claims = entries.get(key)?;
        (claims.exp > now - LEEWAY && claims.nbf <= now + LEEWAY).then(|| claims.clone())
    }

    fn insert(&self, key: [u8; 32], claims: &AccessClaims, now: i64) {
        let Ok(mut entries) = self.entries.lock() else { return };
        if entries.len() >= VERIFIED_CAPACITY {
            entries.retain(|_, c| c.exp > now - LEEWAY);
            if entries.len() >= VERIFIED_CAPACITY {
                entries.clear();
            }
        }
        entries.insert(key, claims.clone());
    }
}

fn verify_in_full(keys: &Keys, settings: &TokenSettings, token: &str) -> Result<AccessClaims, TokenError> {
    let header = decode_header(token).map_err(|_| TokenError::Malformed)?;
    // Pinned: `none`, HMAC (key confusion) and every other algorithm are refused up front.
    if header.alg != Algorithm::EdDSA {
        return Err(TokenError::Algorithm);
    }
    if header.typ.as_deref() != Some(ACCESS_TOKEN_TYPE) {
        return Err(TokenError::WrongType);
    }
    let key = header.kid.as_deref().and_then(|kid| keys.decoding(kid)).ok_or(TokenError::UnknownKey)?;
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_issuer(&[&settings.issuer]);
    validation.set_audience(&[&settings.audience]);
    validation.set_required_spec_claims(&["exp", "iat", "nbf", "iss", "aud", "sub"]);
    validation.validate_nbf = true;
    validation.leeway = LEEWAY as u64;
    let data = decode::<AccessClaims>(token, key, &validation).map_err(|e| TokenError::Invalid(e.to_string()))?;
    let claims = data.claims;
    if Uuid::parse_str(&claims.sub).is_err() {
        return Err(TokenError::Invalid("bad subject".into()));
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::keys::generate_pem;
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};

    fn setup() -> (Keys, TokenSettings) {
        let keys = Keys::from_pem(&generate_pem().expect("key"), &[]).expect("keys");
        let settings = TokenSettings {
            issuer: "https://issuer".into(),
            audience: "endorse-api".into(),
            access_ttl: Duration::from_secs(60),
        };
        (keys, settings)
    }

    fn token(keys: &Keys, s: &TokenSettings) -> String {
        let subject = Subject {
            kind: SubjectKind::Person,
            id: Uuid::now_v7(),
            affiliate: Uuid::now_v7(),
            roles: vec![Role::Admin],
            scope: None,
            generation: 0,
        };
        issue(keys, s, subject).expect("issue").token
    }

    #[test]
    fn round_trip() {
        let (keys, s) = setup();
        let claims = verify(&keys, &s, &token(&keys, &s)).expect("valid");
        assert_eq!(claims.roles, vec![Role::Admin]);
        assert_eq!(claims.kind, SubjectKind::Person);
    }

    #[test]
    fn a_verified_token_is_remembered_but_still_expires_and_stays_bound_to_its_settings() {
        let (keys, s) = setup();
        let t = token(&keys, &s);
        let claims = verify(&keys, &s, &t).expect("valid");
        let key = VerifiedTokens::key(&s, &t);
        let now = chrono::Utc::now().timestamp();
        assert_eq!(keys.verified.get(&key, now), Some(claims.clone()), "remembered");
        assert_eq!(keys.verified.get(&key, claims.exp + LEEWAY + 1), None, "expired in the cache too");
        // The same bytes checked against another audience or issuer are not a cache hit.
        let other_aud = TokenSettings { audience: "other".into(), ..s.clone() };
        assert!(matches!(verify(&keys, &other_aud, &t), Err(TokenError::Invalid(_))));
        // A changed byte is another token, verified in full (and refused).
        let at = t.len() - 10;
        let swapped = if &t[at..=at] == "A" { "B" } else { "A" };
        let forged = format!("{}{swapped}{}", &t[..at], &t[at + 1..]);
        assert!(verify(&keys, &s, &forged).is_err());
    }

    #[test]
    fn wrong_audience_issuer_or_key_are_refused() {
        let (keys, s) = setup();
        let t = token(&keys, &s);
        let other_aud = TokenSettings { audience: "other".into(), ..s.clone() };
        assert!(matches!(verify(&keys, &other_aud, &t), Err(TokenError::Invalid(_))));
        let other_iss = TokenSettings { issuer: "https://evil".into(), ..s.clone() };
        assert!(matches!(verify(&keys, &other_iss, &t), Err(TokenError::Invalid(_))));
        let (other_keys, _) = setup();
        assert_eq!(verify(&other_keys, &s, &t), Err(TokenError::UnknownKey));
    }

    #[test]
    fn alg_none_and_tampering_are_refused() {
        let (keys, s) = setup();
        let t = token(&keys, &s);
        let parts: Vec<&str> = t.split('.').collect();
        let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"at+jwt"}"#);
        assert!(verify(&keys, &s, &format!("{none_header}.{}.", parts[1])).is_err());
        let mut payload: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("json");
        payload["roles"] = serde_json::json!(["admin", "coordinator"]);
        let forged = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&payload).expect("json"));
        assert!(matches!(
            verify(&keys, &s, &format!("{}.{forged}.{}", parts[0], parts[2])),
            Err(TokenError::Invalid(_))
        ));
        assert_eq!(verify(&keys, &s, "not-a-jwt"), Err(TokenError::Malformed));
    }
}
