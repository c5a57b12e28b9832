//! Mistakes in templates fail the build with askama's and rustc's own messages.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
