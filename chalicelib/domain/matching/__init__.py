"""Claim matching: Indonesian-aware analysis, a lexical index, and a calibrated re-ranker (pure)."""
