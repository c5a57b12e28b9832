//! Mistakes in naming the models of another crate: each fails to compile with a message that
//! says what to change (`tests/ui/*.stderr`). Bless with
//! `TRYBUILD=overwrite cargo test -p app-crate --test compile_fail`.

#[test]
fn ui() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
