//! A template file added to `templates/stream/` is picked up by the next `cargo build`,
//! without touching a Rust file: the build script watches the folder. The generated code
//! passes clippy in the user's crate, and a file named after no verb makes cargo warn.
//!
//! The test writes a small crate under the workspace's target directory and builds and runs
//! it after each change to its templates. The crate keeps its own target directory there, so
//! only the first run compiles its dependencies (sea-orm and SQLite, a few minutes on two
//! cores); after that each step is one incremental build of a small crate.
//!
//! Every build is `cargo clippy -- -D warnings` in effect: cargo runs clippy-driver on the
//! crate (`RUSTC_WORKSPACE_WRAPPER`, as `cargo clippy` does) and the crate denies warnings.
//! Unlike `cargo clippy`, which checks, this builds, so the dependencies compiled for running
//! the crate serve the lints too instead of being compiled a second time in check mode.

use std::path::{Path, PathBuf};
use std::process::Command;

const MAIN: &str = r#"
#![deny(warnings)]

pub mod user {
    use stream_core::sea_orm::{self, entity::prelude::*};

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
    #[sea_orm(table_name = "user")]
    #[stream(actor, target, display = "username")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub username: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

use stream_core::prelude::*;
use stream_core::sea_orm::{self, entity::prelude::*};

#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum, stream_core::Verb)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(255))")]
pub enum Verb {
    #[sea_orm(string_value = "follow")]
    Follow,
    #[sea_orm(string_value = "like")]
    Like,
}

stream_core::action_entity! {
    pub mod action { table_name = "action", verb = crate::Verb, models = [crate::user] }
}

mod stream {
    // Names a user's module may hold: the generated code reaches everything by its full path.
    #[allow(dead_code)]
    struct Result;
    #[allow(dead_code)]
    struct Ok;
    #[allow(dead_code)]
    struct Option;
    #[allow(dead_code)]
    struct Vec;
    #[allow(dead_code)]
    struct String;
    #[allow(dead_code)]
    struct DateTime;
    mod askama {}
    mod stream_templates {}
    mod core {}
    mod std {}

    ::stream_templates::include_templates!();
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let file = std::env::temp_dir().join(format!("stream-scratch-{}.sqlite", std::process::id()));
    let db = sea_orm::Database::connect(format!("sqlite://{}?mode=rwc", file.display())).await.unwrap();
    db.get_schema_builder().register(user::Entity).register(action::Entity).apply(&db).await.unwrap();
    let mut users = Vec::new();
    for name in ["lennon", "hendrix"] {
        let user = user::ActiveModel { username: sea_orm::Set(name.into()), ..Default::default() };
        users.push(user.insert(&db).await.unwrap());
    }
    let start = chrono::Utc::now() - chrono::Duration::minutes(5);
    for (i, verb) in [Verb::Follow, Verb::Like].into_iter().enumerate() {
        action::Entity::send(&db, &users[0], verb)
            .target(&users[1])
            .timestamp(start + chrono::Duration::minutes(i as i64))
            .await
            .unwrap();
    }
    println!("templates: {:?}", stream::TEMPLATES);
    println!("unused: {:?}", stream::unused_templates());
    for action in action::Entity::stream().hydrate().all(&db).await.unwrap() {
        let (mut html, mut text) = (String::new(), String::new());
        stream::render_html(&action, chrono::Utc::now(), &mut html).unwrap();
        stream::render_text(&action, chrono::Utc::now(), &mut text).unwrap();
        println!("{html} | {text}");
    }
    drop(db);
    let _ = std::fs::remove_file(file);
}
"#;

/// The workspace's target directory, found from this test's own executable
/// (`<target>/debug/deps/new_template-<hash>`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its path");
    exe.ancestors()
        .nth(3)
        .expect("the test runs from <target>/<profile>/deps")
        .to_path_buf()
}

struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new() -> Self {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("stream-templates is in the workspace")
            .to_path_buf();
        let target = target_dir();
        let dir = target.join("tests").join("stream-templates-scratch");
        let _ = std::fs::remove_dir_all(dir.join("templates"));
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::create_dir_all(dir.join("templates/stream")).unwrap();
        let core = workspace.join("stream-core");
        let templates = workspace.join("stream-templates");
        let manifest = format!(
            r#"[package]
name = "stream-templates-scratch"
version = "0.0.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
stream-core = {{ path = {core:?} }}
stream-templates = {{ path = {templates:?} }}
chrono = {{ version = "0.4", default-features = false, features = ["clock", "std"] }}
tokio = {{ version = "1", features = ["rt-multi-thread", "macros", "sync"] }}

[build-dependencies]
stream-templates = {{ path = {templates:?}, default-features = false }}

[profile.dev]
debug = "line-tables-only"

[profile.dev.package."*"]
debug = false
"#
        );
        write_if_changed(&dir.join("Cargo.toml"), &manifest);
        write_if_changed(&dir.join("src/main.rs"), MAIN);
        write_if_changed(
            &dir.join("build.rs"),
            "fn main() {\n    stream_templates::build::Templates::new(\"crate::action\").generate();\n}\n",
        );
        // The workspace's lock file: the same dependency versions, and no resolving.
        std::fs::copy(workspace.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
        Scratch { dir }
    }

    fn template(&self, name: &str, source: &str) {
        std::fs::write(self.dir.join("templates/stream").join(name), source).unwrap();
    }

    /// Run `cargo <command>` on the crate, with clippy's lints.
    fn cargo(&self, command: &str) -> std::process::Output {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        Command::new(&cargo)
            .arg(command)
            .arg("--target-dir")
            .arg(self.dir.join("target"))
            .current_dir(&self.dir)
            .env("RUSTC_WORKSPACE_WRAPPER", clippy_driver(Path::new(&cargo)))
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("RUSTFLAGS")
            .output()
            .expect("run cargo")
    }

    /// Build and run the crate, returning what it printed and cargo's warnings.
    fn run(&self) -> (String, Vec<String>) {
        let output = self.cargo("run");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "the scratch crate builds without a lint and runs:\n{stderr}"
        );
        let warnings = stderr
            .lines()
            .filter(|line| line.starts_with("warning"))
            .map(str::to_owned)
            .collect();
        (String::from_utf8(output.stdout).unwrap(), warnings)
    }
}

/// The toolchain's clippy-driver, next to its cargo.
fn clippy_driver(cargo: &Path) -> PathBuf {
    let driver = cargo.with_file_name(format!("clippy-driver{}", std::env::consts::EXE_SUFFIX));
    assert!(
        driver.is_file(),
        "the test lints with {}: install clippy (`rustup component add clippy`)",
        driver.display()
    );
    driver
}

fn write_if_changed(path: &Path, contents: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(contents) {
        std::fs::write(path, contents).unwrap();
    }
}

#[test]
fn a_new_template_file_is_picked_up_by_the_next_build() {
    let scratch = Scratch::new();

    // No templates yet: every verb renders with the built-in default, and the generated
    // code passes clippy without a template per verb.
    assert_eq!(
        scratch.run(),
        (
            "templates: []\nunused: []\nlennon did Like hendrix. | lennon did Like hendrix.\nlennon did Follow hendrix. | lennon did Follow hendrix.\n".to_owned(),
            vec![]
        )
    );

    // A template for one verb: only that verb changes. Still no `.txt` of a verb: one HTML
    // template per verb and the built-in fallback for text pass clippy too.
    scratch.template(
        "follow.html",
        "<b>{{ actor }}</b> now follows {{ target.unwrap() }}",
    );
    assert_eq!(
        scratch.run(),
        (
            "templates: [\"stream/follow.html\"]\nunused: []\nlennon did Like hendrix. | lennon did Like hendrix.\n<b>lennon</b> now follows hendrix | lennon did Follow hendrix.\n".to_owned(),
            vec![]
        )
    );

    // The crate's own fallback replaces the built-in one for the other verbs; a text
    // template of a verb renders its text; a file named after no verb makes cargo warn,
    // naming the verbs it read from the crate's enum, and is reported at run time.
    scratch.template("folow.html", "never used");
    scratch.template(
        "action.html",
        "{{ actor }}: {{ verb }} ({{ verb_label }}), {{ ago }}",
    );
    scratch.template("follow.txt", "{{ actor }} follows {{ target.unwrap() }}");
    assert_eq!(
        scratch.run(),
        (
            "templates: [\"stream/action.html\", \"stream/follow.html\", \"stream/follow.txt\", \"stream/folow.html\"]\nunused: [\"stream/folow.html\"]\nlennon: like (Like), 4 minutes ago | lennon did Like hendrix.\n<b>lennon</b> now follows hendrix | lennon follows hendrix\n".to_owned(),
            vec![format!(
                "warning: stream-templates-scratch@0.0.0: {} is named after no verb, so no action renders with it (did you mean `follow.html`?); the verbs (from the enums deriving `Verb` in src/) are `follow`, `like`",
                Path::new("templates/stream/folow.html").display()
            )]
        )
    );

    // A new template is type-checked too: a field the model lacks fails the build.
    scratch.template(
        "like.html",
        "{% match actor %}{% when crate::action::ActorModel::User(user) %}{{ user.nickname }}{% endmatch %}",
    );
    let output = scratch.cargo("build");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "the build fails");
    assert!(
        stderr.contains("no field `nickname` on type `&user::Model`"),
        "{stderr}"
    );
    std::fs::remove_file(scratch.dir.join("templates/stream/like.html")).unwrap();
}
