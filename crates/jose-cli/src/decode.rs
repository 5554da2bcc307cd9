//! `jose decode`: the header and payload of a token, clearly labelled unverified.

use jose_core::{CompactJws, Limits};

use crate::UsageError;
use crate::cli::DecodeArgs;
use crate::output;

/// Prints the unverified header and payload; a malformed token prints the rejection
/// shape and returns `false` (exit 1).
pub(crate) fn run(args: &DecodeArgs) -> Result<bool, UsageError> {
    // The same strict parser as verification: a token we would never accept is not
    // decoded either, so `decode` cannot show a different header than `verify` reads.
    match CompactJws::parse(args.token.to_string_lossy().trim(), &Limits::default()) {
        Ok(jws) => {
            output::print_line(&output::unverified(jws.header().raw(), jws.payload()))?;
            Ok(true)
        }
        Err(e) => {
            output::print_line(&output::undecodable(e.code(), &e.to_string()))?;
            Ok(false)
        }
    }
}
