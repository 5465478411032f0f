//! Ed25519 signing keys. The current key signs; it and any previous public keys
//! verify, and all of them are published as JWKS so clients can check our tokens.
use std::{collections::HashMap, path::Path};

use base64::{Engine, engine::general_purpose::STANDARD};
use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey,
    jwk::{Jwk, JwkSet, PublicKeyUse, ThumbprintHash},
};
use rand::TryRngCore;

/// RFC 8410 PKCS#8 prefix of an Ed25519 private key; the 32-byte seed follows.
const ED25519_PKCS8_PREFIX: [u8; 16] =
    [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];

pub struct Keys {
    pub kid: String,
    encoding: EncodingKey,
    decoding: HashMap<String, DecodingKey>,
    jwks: JwkSet,
    /// Access tokens whose signature these keys already verified.
    pub verified: crate::auth::tokens::VerifiedTokens,
}

impl Keys {
    /// `signing_pem`: the current private key; `previous_public_pems`: public keys of
    /// recently retired private keys, still accepted for verification.
    pub fn from_pem(signing_pem: &str, previous_public_pems: &[String]) -> Result<Keys, String> {
        let encoding = EncodingKey::from_ed_pem(signing_pem.as_bytes())
            .map_err(|e| format!("not a PKCS#8 Ed25519 private key in PEM: {e}"))?;
        let mut current = Jwk::from_encoding_key(&encoding, Algorithm::EdDSA)
            .map_err(|e| format!("not an Ed25519 private key: {e}"))?;
        let kid = thumbprint(&current)?;
        current.common.key_id = Some(kid.clone());
        current.common.public_key_use = Some(PublicKeyUse::Signature);
        let mut decoding = HashMap::new();
        decoding.insert(kid.clone(), DecodingKey::from_jwk(&current).map_err(|e| e.to_string())?);
        let mut keys = vec![current];
        for pem in previous_public_pems {
            let key = DecodingKey::from_ed_pem(pem.as_bytes()).map_err(|e| format!("previous public key: {e}"))?;
            let mut jwk = Jwk::from_decoding_key(&key, Some(Algorithm::EdDSA))
                .map_err(|e| format!("previous public key: {e}"))?;
            let id = thumbprint(&jwk)?;
            jwk.common.key_id = Some(id.clone());
            jwk.common.public_key_use = Some(PublicKeyUse::Signature);
            decoding.insert(id, key);
            keys.push(jwk);
        }
        Ok(Keys { kid, encoding, decoding, jwks: JwkSet { keys }, verified: Default::default() })
    }

    /// From configuration: `JWT_SIGNING_KEY` as PEM text or a path to a PEM file; when
    /// unset, a development key kept in `data_dir` (created on first use).
    pub fn load(configured: Option<&str>, previous: &[String], data_dir: &Path) -> Result<(Keys, bool), String> {
        match configured {
            Some(value) if value.contains("-----BEGIN") => Ok((Keys::from_pem(value, previous)?, false)),
            Some(path) => {
                let pem = std::fs::read_to_string(path).map_err(|e| format!("cannot read key file {path}: {e}"))?;
                Ok((Keys::from_pem(&pem, previous)?, false))
            }
            None => {
                let path = data_dir.join("jwt-signing-key.pem");
                let pem = match std::fs::read_to_string(&path) {
                    Ok(pem) => pem,
                    Err(_) => {
                        std::fs::create_dir_all(data_dir)
                            .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
                        let pem = generate_pem()?;
                        write_private(&path, &pem)?;
                        pem
                    }
                };
                Ok((Keys::from_pem(&pem, previous)?, true))
            }
        }
    }

    pub fn encoding(&self) -> &EncodingKey {
        &self.encoding
    }

    pub fn decoding(&self, kid: &str) -> Option<&DecodingKey> {
        self.decoding.get(kid)
    }

    pub fn jwks(&self) -> &JwkSet {
        &self.jwks
    }
}

fn thumbprint(jwk: &Jwk) -> Result<String, String> {
    jwk.thumbprint(ThumbprintHash::SHA256).map_err(|e| e.to_string())
}

/// A fresh Ed25519 private key as PKCS#8 PEM, from the operating system's RNG.
pub fn generate_pem() -> Result<String, String> {
    let mut seed = [0u8; 32];
    rand::rngs::OsRng.try_fill_bytes(&mut seed).map_err(|e| format!("no randomness: {e}"))?;
    let mut der = ED25519_PKCS8_PREFIX.to_vec();
    der.extend_from_slice(&seed);
    Ok(format!("-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n", STANDARD.encode(der)))
}

fn write_private(path: &Path, contents: &str) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        f.write_all(contents.as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))
    }
    #[cfg(not(unix))]
    {
        std::fs::write(path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_load_and_publish_one_jwk() {
        let pem = generate_pem().expect("key");
        let keys = Keys::from_pem(&pem, &[]).expect("loads");
        assert_eq!(keys.jwks().keys.len(), 1);
        assert_eq!(keys.jwks().keys[0].common.key_id.as_deref(), Some(keys.kid.as_str()));
        assert!(keys.decoding(&keys.kid).is_some());
        let other = Keys::from_pem(&generate_pem().expect("key"), &[]).expect("loads");
        assert_ne!(keys.kid, other.kid, "each key has its own id");
    }

    #[test]
    fn rejects_garbage() {
        assert!(Keys::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", &[]).is_err());
    }

    #[test]
    fn dev_key_is_created_once_and_reused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (a, generated) = Keys::load(None, &[], dir.path()).expect("creates");
        assert!(generated);
        let (b, _) = Keys::load(None, &[], dir.path()).expect("reuses");
        assert_eq!(a.kid, b.kid);
    }
}
