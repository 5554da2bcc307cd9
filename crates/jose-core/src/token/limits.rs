//! Limits on untrusted input, each with a safe default and a setter.

/// Bounds applied to every token before and while it is parsed and verified.
///
/// The defaults suit access and ID tokens from mainstream providers with room to spare;
/// raise one only for a concrete reason.
///
/// ```
/// use jose_core::Limits;
/// let limits = Limits::default().max_token_len(64 * 1024);
/// assert_eq!(limits.token_len(), 64 * 1024);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
#[must_use]
pub struct Limits {
    token_len: usize,
    header_len: usize,
    json_depth: usize,
    kid_len: usize,
    candidates: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            token_len: 16 * 1024,
            header_len: 4 * 1024,
            json_depth: 16,
            kid_len: 256,
            candidates: 3,
        }
    }
}

impl Limits {
    /// Maximum length of the whole compact token, in bytes (default 16 KiB).
    pub fn max_token_len(mut self, bytes: usize) -> Self {
        self.token_len = bytes;
        self
    }

    /// Maximum length of the encoded protected header segment, in bytes (default 4 KiB).
    pub fn max_header_len(mut self, bytes: usize) -> Self {
        self.header_len = bytes;
        self
    }

    /// Maximum nesting of JSON objects and arrays in the header and the claims; the
    /// top-level object counts as one (default 16).
    pub fn max_json_depth(mut self, depth: usize) -> Self {
        self.json_depth = depth;
        self
    }

    /// Maximum length of the `kid` header parameter, in bytes (default 256).
    pub fn max_kid_len(mut self, bytes: usize) -> Self {
        self.kid_len = bytes;
        self
    }

    /// Maximum number of signature verifications attempted for one token when several
    /// candidate keys match it (default 3). Each attempt costs real CPU, so a hostile key
    /// set cannot make one token cost more than this.
    pub fn max_candidates(mut self, attempts: usize) -> Self {
        self.candidates = attempts;
        self
    }

    /// The token length limit.
    pub fn token_len(&self) -> usize {
        self.token_len
    }

    /// The header length limit.
    pub fn header_len(&self) -> usize {
        self.header_len
    }

    /// The JSON nesting limit.
    pub fn json_depth(&self) -> usize {
        self.json_depth
    }

    /// The `kid` length limit.
    pub fn kid_len(&self) -> usize {
        self.kid_len
    }

    /// The candidate-key budget.
    pub fn candidates(&self) -> usize {
        self.candidates
    }
}
