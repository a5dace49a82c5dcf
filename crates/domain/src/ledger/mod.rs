//! The relationship ledger: canonical entry headers, hash chain, signatures, bundles.
