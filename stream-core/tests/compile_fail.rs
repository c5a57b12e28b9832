//! Every mistake the macros can see fails to compile with a message that says what to change.
//! One file per mistake in `tests/ui/`, named after it; the `.stderr` next to it is the
//! reviewed message. Regenerate with `TRYBUILD=overwrite` and review the diff like code.

#[test]
fn ui() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
