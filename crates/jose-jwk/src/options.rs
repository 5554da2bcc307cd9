//! Limits and import rules for JWK Sets, each with a safe default and a setter.

use jose_core::KeyOptions;

/// How a JWK Set is read: size limits and the key import rules.
///
/// ```
/// use jose_jwk::JwkSetOptions;
/// let options = JwkSetOptions::default().max_keys(20);
/// assert_eq!(options.keys(), 20);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[must_use]
pub struct JwkSetOptions {
    max_bytes: usize,
    max_keys: usize,
    max_kid_len: usize,
    max_json_depth: usize,
    key_options: KeyOptions,
}

impl Default for JwkSetOptions {
    fn default() -> Self {
        JwkSetOptions {
            max_bytes: 256 * 1024,
            max_keys: 100,
            // Matches jose-core's default cap on a token's `kid`: a longer `kid` could
            // never be named by a token.
            max_kid_len: 256,
            // set → keys → key → x5c/key_ops → string: 4 levels; room to spare.
            max_json_depth: 8,
            key_options: KeyOptions::default(),
        }
    }
}

impl JwkSetOptions {
    /// Largest accepted document, in bytes (default 256 KiB).
    pub fn max_bytes(mut self, bytes: usize) -> Self {
        self.max_bytes = bytes;
        self
    }

    /// Most entries in `keys` (default 100). A larger set is refused whole rather than
    /// truncated, so a newly published key can never be silently dropped.
    pub fn max_keys(mut self, keys: usize) -> Self {
        self.max_keys = keys;
        self
    }

    /// Longest `kid` kept, in bytes (default 256); a key with a longer one is skipped.
    pub fn max_kid_len(mut self, bytes: usize) -> Self {
        self.max_kid_len = bytes;
        self
    }

    /// Deepest JSON nesting accepted (default 8).
    pub fn max_json_depth(mut self, depth: usize) -> Self {
        self.max_json_depth = depth;
        self
    }

    /// The key import rules (RSA size bounds); default [`KeyOptions::default`].
    pub fn key_options(mut self, options: KeyOptions) -> Self {
        self.key_options = options;
        self
    }

    /// The size limit, in bytes.
    pub fn bytes(&self) -> usize {
        self.max_bytes
    }

    /// The key count limit.
    pub fn keys(&self) -> usize {
        self.max_keys
    }

    /// The `kid` length limit, in bytes.
    pub fn kid_len(&self) -> usize {
        self.max_kid_len
    }

    /// The JSON nesting limit.
    pub fn json_depth(&self) -> usize {
        self.max_json_depth
    }

    /// The key import rules.
    pub fn import_rules(&self) -> &KeyOptions {
        &self.key_options
    }
}
