//! The command line, as clap derives it.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "jose",
    version,
    about = "Verify, decode and inspect JWTs and JWK Sets",
    after_help = "Exit codes: 0 valid, 1 rejected (JSON on stdout says why), 2 usage or configuration error."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Verify a token's signature and claims against a key set, an issuer or one key.
    #[command(after_help = VERIFY_EXAMPLES)]
    Verify(VerifyArgs),
    /// Show a token's header and payload WITHOUT verifying anything.
    #[command(
        after_help = "Example:\n  jose decode eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln"
    )]
    Decode(DecodeArgs),
    /// List the keys of a JWK Set, and the keys it skipped with the reason.
    #[command(after_help = JWKS_EXAMPLES)]
    Jwks(JwksArgs),
    /// Measure verifications per second per algorithm and key size, like `openssl speed`.
    #[command(after_help = BENCH_HELP)]
    Bench(BenchArgs),
}

const VERIFY_EXAMPLES: &str = "Examples:
  jose verify --jwks test-vectors/interop/jwks.json --alg RS256 --iss https://issuer.example \\
      --aud jose-tests --now 1767225660 eyJhbGciOi...
  jose verify --issuer https://login.example.com/ --alg RS256 --aud api://orders TOKEN
  cat tokens.txt | jose verify --jwks https://login.example.com/jwks.json --alg RS256,ES256 -

Output: {\"valid\":true,\"header\":{...},\"claims\":{...}} (exit 0), or
        {\"valid\":false,\"error\":{\"code\":\"ERR_...\",\"message\":\"...\"}} (exit 1).
With -, one token per line (blank lines skipped) and one JSON line per token; keys are
fetched once.";

const JWKS_EXAMPLES: &str = "Examples:
  jose jwks test-vectors/interop/jwks.json
  jose jwks --json https://login.example.com/.well-known/jwks.json
  jose jwks --issuer https://login.example.com/

Exit 0 when the set has a usable key; 1 when every key of a file was skipped (each still
listed with its reason); 2 when the set cannot be read or is not a JWK Set. From a URL or
an issuer, a set with no usable key is a failed fetch (2), as it is for verification.";

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("source").required(true).args(["jwks", "issuer", "key"]))]
pub(crate) struct VerifyArgs {
    /// A JWK Set: a file path, or an http(s) URL (fetched once and cached).
    #[arg(long, value_name = "PATH|URL")]
    pub(crate) jwks: Option<String>,
    /// An OpenID Connect issuer: its discovery document's jwks_uri is used, and its
    /// `issuer` must equal this. Also the expected `iss` unless --iss is given.
    #[arg(long, value_name = "URL")]
    pub(crate) issuer: Option<String>,
    /// One key: a JWK file, or a PEM public key file.
    #[arg(long, value_name = "JWK-PATH")]
    pub(crate) key: Option<PathBuf>,
    /// The algorithms to accept, comma-separated (RS256, RS384, RS512, PS256, PS384,
    /// PS512, ES256, ES384, ES512, EdDSA, Ed25519).
    #[arg(
        long,
        value_name = "ALG[,ALG...]",
        required = true,
        value_delimiter = ','
    )]
    pub(crate) alg: Vec<String>,
    /// Verify a plain JWS: signature only, no claim checks, payload of any bytes.
    #[arg(long)]
    pub(crate) jws: bool,
    /// The expected issuer (`iss` must equal it).
    #[arg(long, value_name = "ISS")]
    pub(crate) iss: Option<String>,
    /// An accepted audience (`aud` must contain one); repeatable. Without it, a token
    /// that names an audience is rejected.
    #[arg(long, value_name = "AUD")]
    pub(crate) aud: Vec<String>,
    /// Clock skew tolerated for exp/nbf/iat, in seconds (default 60).
    #[arg(long, value_name = "SECS")]
    pub(crate) leeway: Option<u64>,
    /// Fix the clock (testing, incident forensics), in Unix seconds.
    #[arg(long, value_name = "UNIX-SECONDS")]
    pub(crate) now: Option<u64>,
    /// The token, or - to read tokens from stdin, one per line.
    // Not `String`: bytes that are not UTF-8 are a token to reject (exit 1), as they are
    // on stdin, not a usage error.
    #[arg(value_name = "TOKEN|-")]
    pub(crate) token: OsString,
}

const BENCH_HELP: &str =
    "Keys are generated at startup (RSA 2048/3072/4096, EC P-256/P-384/P-521, Ed25519); each case signs one
realistic access token and verifies it in a loop (parse, signature, iss/aud/exp/nbf/iat
checks), first on one thread, then on every thread at once.

Examples:
  jose bench
  jose bench --seconds 3 --algs RS256-2048,ES256
  jose bench --json";

#[derive(Debug, Args)]
pub(crate) struct BenchArgs {
    /// How long each measurement runs, in seconds (fractions allowed).
    #[arg(long, value_name = "SECS", default_value = "1", value_parser = parse_seconds)]
    pub(crate) seconds: f64,
    /// Only these cases, comma-separated (default: all).
    #[arg(
        long,
        value_name = "CASE[,CASE...]",
        value_delimiter = ',',
        value_parser = [
            "RS256-2048", "RS256-3072", "RS256-4096", "PS256-2048", "ES256", "ES384", "ES512",
            "EdDSA",
        ]
    )]
    pub(crate) algs: Vec<String>,
    /// Threads for the multi-threaded measurement (default: every available core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) threads: Option<u16>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub(crate) json: bool,
}

/// A measurement time: positive, finite, at most an hour.
fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(s) if s > 0.0 && s <= 3600.0 => Ok(s),
        _ => Err(format!("{text:?} is not a number of seconds in (0, 3600]")),
    }
}

#[derive(Debug, Args)]
pub(crate) struct DecodeArgs {
    /// The token.
    #[arg(value_name = "TOKEN")]
    pub(crate) token: OsString,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("source").required(true).args(["location", "issuer"]))]
pub(crate) struct JwksArgs {
    /// A JWK Set file path or http(s) URL.
    #[arg(value_name = "PATH|URL")]
    pub(crate) location: Option<String>,
    /// An OpenID Connect issuer whose jwks_uri to read.
    #[arg(long, value_name = "URL")]
    pub(crate) issuer: Option<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub(crate) json: bool,
}
