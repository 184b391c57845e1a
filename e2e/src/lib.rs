//! Browser tests live in `tests/`; see README.md. This library is empty on purpose.
