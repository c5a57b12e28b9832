//! Compile `templates/stream/*.{html,txt}` into one askama template per verb.

fn main() {
    stream_templates::build::Templates::new("crate::action").generate();
}
