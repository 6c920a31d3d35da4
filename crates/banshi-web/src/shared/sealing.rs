//! Personal data at rest (phone and ID numbers, query codes, second-factor secrets): sealed under
//! the installation's data key before it reaches the database, opened only where it is used. The
//! key never enters the database. The algorithms are chosen at installation (`--crypto`): the
//! standard ones (AES-256-GCM, HMAC-SHA-256), or for 密评 (GB/T 39786) the national ones: SM4 in
//! GCM mode (RFC 8998) and HMAC-SM3, with keys of their own derived from the data key by SM3.

use aes_gcm::aead::{Aead, KeyInit, OsRng};
use aes_gcm::aead::consts::U12;
use aes_gcm::{AeadCore, Aes256Gcm, AesGcm, Key, Nonce};
use banshi_storage::CryptoSuite;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use sm3::Sm3;

/// SM4 in GCM mode with a 96-bit nonce, as RFC 8998 defines it.
type Sm4Gcm = AesGcm<sm4::Sm4, U12>;

enum Cipher {
    Standard(Box<Aes256Gcm>),
    National(Box<Sm4Gcm>),
}

pub struct Sealer {
    suite: CryptoSuite,
    cipher: Cipher,
    fingerprint: String,
    /// Keys the lookup hashes of personal data; derived from the data key, never the key itself.
    lookup: [u8; 32],
}

/// A key of its own for one use, derived from the data key with the suite's hash.
fn derived(suite: CryptoSuite, label: &[u8], key: &[u8]) -> [u8; 32] {
    let input = [label, key].concat();
    match suite {
        CryptoSuite::Standard => Sha256::digest(input).into(),
        CryptoSuite::National => Sm3::digest(input).into(),
    }
}

impl Sealer {
    /// From a 32-byte key given as 64 hexadecimal digits, with the standard algorithms.
    pub fn from_hex(key: &str) -> Result<Self, String> {
        Self::from_hex_with(key, CryptoSuite::Standard)
    }

    /// From a 32-byte key given as 64 hexadecimal digits, with `suite`'s algorithms.
    pub fn from_hex_with(key: &str, suite: CryptoSuite) -> Result<Self, String> {
        let bytes = hex::decode(key.trim()).map_err(|_| "the data key must be 64 hexadecimal digits".to_string())?;
        if bytes.len() != 32 {
            return Err("the data key must be 64 hexadecimal digits (32 bytes)".into());
        }
        let fingerprint = hex::encode(&derived(suite, b"banshi data key v1:", &bytes)[..16]);
        let lookup = derived(suite, b"banshi lookup key v1:", &bytes);
        let cipher = match suite {
            CryptoSuite::Standard => Cipher::Standard(Box::new(Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&bytes)))),
            // SM4 takes 128 bits: its own key, derived, rather than half of the data key.
            CryptoSuite::National => Cipher::National(Box::new(Sm4Gcm::new_from_slice(&derived(suite, b"banshi sm4 key v1:", &bytes)[..16]).expect("SM4 takes a 16-byte key"))),
        };
        Ok(Sealer { suite, cipher, fingerprint, lookup })
    }

    pub fn suite(&self) -> CryptoSuite {
        self.suite
    }

    /// Names the key without giving it away (the suite's hash of the key, shortened): stored in
    /// the database, so that a server given another key refuses to start.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// A new random key, as 64 hexadecimal digits.
    pub fn generate_key() -> String {
        hex::encode(Aes256Gcm::generate_key(OsRng))
    }

    fn prefix(&self) -> &'static str {
        match self.suite {
            CryptoSuite::Standard => "v1:",
            CryptoSuite::National => "sm1:",
        }
    }

    /// The suite's prefix (`v1:` or `sm1:`) + base64 of a fresh 96-bit nonce and the ciphertext.
    pub fn seal(&self, plain: &str) -> String {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let sealed = match &self.cipher {
            Cipher::Standard(cipher) => cipher.encrypt(&nonce, plain.as_bytes()),
            Cipher::National(cipher) => cipher.encrypt(&nonce, plain.as_bytes()),
        };
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed.expect("GCM encrypts any message"));
        format!("{}{}", self.prefix(), BASE64.encode(bytes))
    }

    /// The same value always gives the same key (HMAC under a key of the installation), so that
    /// sealed values can be counted or found without opening any; the key gives the value back to
    /// nobody who lacks the data key.
    pub fn lookup_key(&self, value: &str) -> String {
        match self.suite {
            CryptoSuite::Standard => {
                let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.lookup).expect("HMAC takes a key of any length");
                mac.update(value.as_bytes());
                hex::encode(mac.finalize().into_bytes())
            }
            CryptoSuite::National => {
                let mut mac = <Hmac<Sm3> as Mac>::new_from_slice(&self.lookup).expect("HMAC takes a key of any length");
                mac.update(value.as_bytes());
                hex::encode(mac.finalize().into_bytes())
            }
        }
    }

    /// The hash of a random token (sessions, rating pads), as the database keeps it: SHA-256 or
    /// SM3. Unkeyed: a token is random, and a hash is all a stolen database gives.
    pub fn token_hash(&self, token: &str) -> String {
        match self.suite {
            CryptoSuite::Standard => hex::encode(Sha256::digest(token.as_bytes())),
            CryptoSuite::National => hex::encode(Sm3::digest(token.as_bytes())),
        }
    }

    pub fn open(&self, sealed: &str) -> Result<String, String> {
        let bytes = sealed.strip_prefix(self.prefix()).and_then(|b| BASE64.decode(b).ok()).ok_or("not a sealed value of this installation's algorithms")?;
        if bytes.len() < 12 {
            return Err("sealed value too short".into());
        }
        let (nonce, ciphertext) = bytes.split_at(12);
        let plain = match &self.cipher {
            Cipher::Standard(cipher) => cipher.decrypt(Nonce::from_slice(nonce), ciphertext),
            Cipher::National(cipher) => cipher.decrypt(Nonce::from_slice(nonce), ciphertext),
        };
        let plain = plain.map_err(|_| "wrong key or damaged value".to_string())?;
        String::from_utf8(plain).map_err(|_| "not text".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes_gcm::aead::Payload;

    #[test]
    fn sealed_values_open_with_the_same_key_only() {
        for suite in [CryptoSuite::Standard, CryptoSuite::National] {
            let sealer = Sealer::from_hex_with(&Sealer::generate_key(), suite).unwrap();
            let sealed = sealer.seal("13812345678");
            assert!(!sealed.contains("13812345678"));
            assert_ne!(sealed, sealer.seal("13812345678"), "a fresh nonce each time");
            assert_eq!(sealer.open(&sealed).unwrap(), "13812345678");
            let other = Sealer::from_hex_with(&Sealer::generate_key(), suite).unwrap();
            assert!(other.open(&sealed).is_err());
            assert!(Sealer::from_hex_with("abc", suite).is_err());
            assert_ne!(sealer.fingerprint(), other.fingerprint());
            assert_eq!(sealer.fingerprint().len(), 32);
            assert_eq!(sealer.lookup_key("13812345678"), sealer.lookup_key("13812345678"));
            assert_ne!(sealer.lookup_key("13812345678"), other.lookup_key("13812345678"));
            assert!(!sealer.lookup_key("13812345678").contains("1381234"));
            assert_eq!(sealer.token_hash("t").len(), 64);
        }
    }

    #[test]
    fn the_national_algorithms_are_not_the_standard_ones_under_the_same_key() {
        let key = Sealer::generate_key();
        let (standard, national) = (Sealer::from_hex(&key).unwrap(), Sealer::from_hex_with(&key, CryptoSuite::National).unwrap());
        let sealed = national.seal("110105194912310021");
        assert!(sealed.starts_with("sm1:"));
        assert!(standard.open(&sealed).is_err() && national.open(&standard.seal("x")).is_err(), "neither opens the other's");
        assert_ne!(standard.fingerprint(), national.fingerprint());
        assert_ne!(standard.lookup_key("x"), national.lookup_key("x"));
        assert_ne!(standard.token_hash("x"), national.token_hash("x"));
    }

    /// SM4-GCM against RFC 8998, appendix A.1.
    #[test]
    fn sm4_gcm_gives_the_rfc_8998_example() {
        let cipher = Sm4Gcm::new_from_slice(&hex::decode("0123456789ABCDEFFEDCBA9876543210").unwrap()).unwrap();
        let nonce = hex::decode("00001234567800000000ABCD").unwrap();
        let aad = hex::decode("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2").unwrap();
        let plain = hex::decode("AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDDEEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA").unwrap();
        let sealed = cipher.encrypt(Nonce::from_slice(&nonce), Payload { msg: &plain, aad: &aad }).unwrap();
        let (ciphertext, tag) = sealed.split_at(plain.len());
        assert_eq!(hex::encode_upper(ciphertext), "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D");
        assert_eq!(hex::encode_upper(tag), "83DE3541E4C2B58177E065A9BF7B62EC");
    }
}
