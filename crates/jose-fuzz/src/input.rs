//! A cursor over the fuzzer's bytes: structured targets read their choices from it.
//!
//! Every read succeeds; past the end it yields zeros (or empty slices), so every input
//! maps to some test case and the fuzzer never wastes executions on "too short".

/// Reads choices, lengths and byte strings off the front of the input.
pub(crate) struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Input { data }
    }

    /// One byte, or 0 when the input is exhausted.
    pub(crate) fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    /// A big-endian `u16`.
    pub(crate) fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.byte(), self.byte()])
    }

    /// Up to `n` bytes (fewer when the input runs out).
    pub(crate) fn bytes(&mut self, n: usize) -> &'a [u8] {
        let (head, tail) = self.data.split_at(n.min(self.data.len()));
        self.data = tail;
        head
    }

    /// Exactly `N` bytes, zero-padded when the input runs out.
    pub(crate) fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let head = self.bytes(N);
        out[..head.len()].copy_from_slice(head);
        out
    }

    /// A byte string preceded by its one-byte length.
    pub(crate) fn len_prefixed(&mut self) -> &'a [u8] {
        let n = usize::from(self.byte());
        self.bytes(n)
    }

    /// Whether everything has been read.
    pub(crate) fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Everything not read yet.
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        core::mem::take(&mut self.data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_in_order_and_pads_past_the_end() {
        let mut input = Input::new(&[2, b'a', b'b', 7, 0, 1]);
        assert_eq!(input.len_prefixed(), b"ab");
        assert_eq!(input.byte(), 7);
        assert_eq!(input.u16(), 1);
        assert_eq!(input.bytes(4), b"");
        assert_eq!(input.byte(), 0);
        assert_eq!(input.array::<3>(), [0, 0, 0]);
        assert_eq!(input.rest(), b"");
    }
}
