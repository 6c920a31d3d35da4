//! Personal data at rest (phone numbers now, ID numbers later): sealed with AES-256-GCM under the
//! installation's data key before it reaches the database, opened only where it is used (the
//! message sender). The key never enters the database.

use aes_gcm::aead::{Aead, KeyInit, OsRng};
use aes_gcm::{AeadCore, Aes256Gcm, Key, Nonce};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use sha2::{Digest, Sha256};

pub struct Sealer {
    cipher: Aes256Gcm,
    fingerprint: String,
    /// Keys the lookup hashes of personal data; derived from the data key, never the key itself.
    lookup: [u8; 32],
}

impl Sealer {
    /// From a 32-byte key given as 64 hexadecimal digits.
    pub fn from_hex(key: &str) -> Result<Self, String> {
        let bytes = hex::decode(key.trim()).map_err(|_| "the data key must be 64 hexadecimal digits".to_string())?;
        if bytes.len() != 32 {
            return Err("the data key must be 64 hexadecimal digits (32 bytes)".into());
        }
        let fingerprint = hex::encode(&Sha256::digest([b"banshi data key v1:".as_slice(), &bytes].concat())[..16]);
        let lookup = Sha256::digest([b"banshi lookup key v1:".as_slice(), &bytes].concat()).into();
        Ok(Sealer { cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&bytes)), fingerprint, lookup })
    }

    /// Names the key without giving it away (SHA-256 of the key, shortened): stored in the
    /// database, so that a server given another key refuses to start.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// A new random key, as 64 hexadecimal digits.
    pub fn generate_key() -> String {
        hex::encode(Aes256Gcm::generate_key(OsRng))
    }

    /// `v1:` + base64 of a fresh 96-bit nonce and the ciphertext.
    pub fn seal(&self, plain: &str) -> String {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let sealed = self.cipher.encrypt(&nonce, plain.as_bytes()).expect("AES-GCM encrypts any message");
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        format!("v1:{}", BASE64.encode(bytes))
    }

    /// The same value always gives the same key (HMAC-SHA256 under a key of the installation), so
    /// that sealed values can be counted or found without opening any; the key gives the value
    /// back to nobody who lacks the data key.
    pub fn lookup_key(&self, value: &str) -> String {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.lookup).expect("HMAC takes a key of any length");
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    pub fn open(&self, sealed: &str) -> Result<String, String> {
        let bytes = sealed.strip_prefix("v1:").and_then(|b| BASE64.decode(b).ok()).ok_or("not a sealed value")?;
        if bytes.len() < 12 {
            return Err("sealed value too short".into());
        }
        let (nonce, ciphertext) = bytes.split_at(12);
        let plain = self.cipher.decrypt(Nonce::from_slice(nonce), ciphertext).map_err(|_| "wrong key or damaged value".to_string())?;
        String::from_utf8(plain).map_err(|_| "not text".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_with_the_same_key_only() {
        let sealer = Sealer::from_hex(&Sealer::generate_key()).unwrap();
        let sealed = sealer.seal("13812345678");
        assert!(!sealed.contains("13812345678"));
        assert_ne!(sealed, sealer.seal("13812345678"), "a fresh nonce each time");
        assert_eq!(sealer.open(&sealed).unwrap(), "13812345678");
        let other = Sealer::from_hex(&Sealer::generate_key()).unwrap();
        assert!(other.open(&sealed).is_err());
        assert!(Sealer::from_hex("abc").is_err());
        assert_ne!(sealer.fingerprint(), other.fingerprint());
        assert_eq!(sealer.fingerprint().len(), 32);
        assert_eq!(sealer.lookup_key("13812345678"), sealer.lookup_key("13812345678"));
        assert_ne!(sealer.lookup_key("13812345678"), other.lookup_key("13812345678"));
        assert!(!sealer.lookup_key("13812345678").contains("1381234"));
    }
}
