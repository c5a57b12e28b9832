//! Rendering actions with the per-verb templates of `templates/stream/`.

mod common;

use common::TestDb;

use common::{Beatles, beatles};
use stream_core::prelude::*;
use stream_core::sea_orm::{DatabaseConnection, QuerySelect};
use stream_templates::askama::Template;
use test_project::{Verb, action, stream, views::Feed};

common::on_every_backend!(
    template_tag,
    builtin_default_without_target,
    a_verb_with_a_template_uses_it,
    what_send_returns_renders_in_one_call,
    models_are_reached_through_their_enum,
    html_is_escaped_and_text_is_not,
    feed_view_renders_a_page_of_twenty_in_one_statement,
    groups_read_hendrix_joplin_and_3_others_with_the_builtin,
    a_group_of_one_actor_reads_as_its_action,
    a_verb_with_a_group_template_uses_it,
    groups_render_from_a_view_of_the_app_escaped,
);

async fn newest(db: &DatabaseConnection) -> action::Loaded {
    action::Entity::stream()
        .limit(1)
        .hydrate()
        .one(db)
        .await
        .unwrap()
        .expect("an action was sent")
}

fn html(action: &action::Loaded, now: stream_templates::DateTime) -> String {
    let mut out = String::new();
    stream::render_html(action, now, &mut out).unwrap();
    out
}

/// The original's test_template_tag: `default` has no template in test-project and there is
/// no `stream/action.html`, so the built-in default renders.
async fn template_tag(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    action::Entity::send(&*db, &lennon, Verb::Default)
        .target(&hendrix)
        .await
        .unwrap();

    let action = newest(&db).await;
    assert_eq!(
        html(&action, chrono::Utc::now()),
        "lennon did Stream Item hendrix."
    );
}

async fn builtin_default_without_target(db: TestDb) {
    let lennon = common::user(&db, "lennon").await;
    action::Entity::send(&*db, &lennon, Verb::Default)
        .await
        .unwrap();
    assert_eq!(
        html(&newest(&db).await, chrono::Utc::now()),
        "lennon did Stream Item."
    );
}

async fn a_verb_with_a_template_uses_it(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    let now = chrono::Utc::now();
    let when = now - chrono::Duration::minutes(3);
    action::Entity::send(&*db, &lennon, Verb::Follow)
        .target(&hendrix)
        .timestamp(when)
        .await
        .unwrap();

    let action = newest(&db).await;
    assert_eq!(
        html(&action, now),
        format!(
            "<p class=\"action follow\"><a class=\"actor\" href=\"/users/{}\">lennon</a> follows <a class=\"target\" href=\"/users/{}\">hendrix</a> <time datetime=\"{}\">3 minutes ago</time></p>",
            lennon.id,
            hendrix.id,
            action.action.timestamp.to_rfc3339()
        )
    );
    let mut text = String::new();
    stream::render_text(&action, now, &mut text).unwrap();
    assert_eq!(text, "lennon follows hendrix (3 minutes ago)");
    assert_eq!(stream::unused_templates(), Vec::<&str>::new());
    assert_eq!(
        stream::TEMPLATES,
        [
            "stream/commented.html",
            "stream/created.html",
            "stream/deleted.html",
            "stream/edit.html",
            "stream/follow.html",
            "stream/follow.txt",
            "stream/followed.html",
            "stream/group/liked.html",
            "stream/joined.html",
            "stream/liked.html",
        ]
    );
}

async fn models_are_reached_through_their_enum(db: TestDb) {
    let lennon = common::user(&db, "lennon").await;
    let rust = common::group(&db, "rust").await;
    let post = common::post(&db, &lennon, "Imagine").await;
    action::Entity::send(&*db, &lennon, Verb::Created)
        .action_object(&post)
        .target(&rust)
        .description("a song")
        .await
        .unwrap();
    let now = chrono::Utc::now();
    assert_eq!(
        html(&newest(&db).await, now),
        format!(
            "<p class=\"action created\"><a href=\"/users/{}\">lennon</a> created <a href=\"/posts/{}\">Imagine</a> in <a href=\"/groups/{}\">rust</a>: a song <time>just now</time></p>",
            lennon.id, post.id, rust.id
        )
    );
}

async fn html_is_escaped_and_text_is_not(db: TestDb) {
    let mallory = common::user(&db, "<script>alert('lennon')</script>").await;
    let hendrix = common::user(&db, "hendrix").await;
    let post = common::post(&db, &hendrix, "Riffs").await;
    action::Entity::send(&*db, &mallory, Verb::Created)
        .action_object(&post)
        .description("<script>alert(1)</script>")
        .await
        .unwrap();
    let created = html(&newest(&db).await, chrono::Utc::now());
    assert!(!created.contains("<script>"), "{created}");
    assert!(
        created.contains("&#60;script&#62;alert(&#39;lennon&#39;)&#60;/script&#62;"),
        "{created}"
    );
    assert!(
        created.contains(": &#60;script&#62;alert(1)&#60;/script&#62;"),
        "{created}"
    );

    action::Entity::send(&*db, &mallory, Verb::Follow)
        .target(&hendrix)
        .await
        .unwrap();
    let follow = newest(&db).await;
    let page = html(&follow, chrono::Utc::now());
    assert!(
        page.contains(&format!(
            "<a class=\"actor\" href=\"/users/{}\">&#60;script&#62;",
            mallory.id
        )),
        "{page}"
    );
    let mut text = String::new();
    stream::render_text(&follow, chrono::Utc::now(), &mut text).unwrap();
    assert_eq!(
        text,
        "<script>alert('lennon')</script> follows hendrix (just now)"
    );
}

/// The sample application's feed view: twenty actions, loaded in one statement, rendered
/// with one filter expression.
async fn feed_view_renders_a_page_of_twenty_in_one_statement(mut db: TestDb) {
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    let rust = common::group(&db, "rust").await;
    let post = common::post(&db, &lennon, "Imagine").await;
    let now = chrono::Utc::now();
    for i in 0..20 {
        let when = now - chrono::Duration::minutes(20 - i);
        let sent = match i % 4 {
            0 => action::Entity::send(&*db, &lennon, Verb::Follow).target(&hendrix),
            1 => action::Entity::send(&*db, &rust, Verb::Created)
                .action_object(&post)
                .target(&rust),
            2 => action::Entity::send(&*db, &morrison, Verb::Default).target(&rust),
            _ => action::Entity::send(&*db, &hendrix, Verb::Edit).action_object(&post),
        };
        sent.timestamp(when).await.unwrap();
    }

    let statements = common::record_statements(&mut db.db);
    let feed = Feed::newest(&*db, 20).await.unwrap();
    let now_value: &dyn std::any::Any = &now;
    let page = feed
        .render_with_values(&[(stream_templates::NOW, now_value)])
        .unwrap();
    assert_eq!(
        statements.lock().unwrap().len(),
        1,
        "loading and rendering the page costs one statement"
    );

    let lines: Vec<&str> = page.lines().collect();
    assert_eq!(lines.len(), 22, "{page}");
    assert_eq!(lines[0], "<section class=\"stream\">");
    assert!(
        lines[1].starts_with(&format!(
            "<p class=\"action edit\"><a class=\"actor\" href=\"/users/{}\">hendrix</a> edited <a class=\"object\" href=\"/posts/{}\">Imagine</a> <time datetime=",
            hendrix.id, post.id
        )),
        "newest first: {page}"
    );
    assert!(lines[1].ends_with(">1 minute ago</time></p>"), "{page}");
    assert_eq!(lines[2], "morrison did Stream Item rust.");
    assert_eq!(
        lines[3],
        format!(
            "<p class=\"action created\"><a href=\"/groups/{}\">rust</a> created <a href=\"/posts/{}\">Imagine</a> in <a href=\"/groups/{}\">rust</a> <time>3 minutes ago</time></p>",
            rust.id, post.id, rust.id
        )
    );
    assert!(
        lines[4].starts_with(&format!(
            "<p class=\"action follow\"><a class=\"actor\" href=\"/users/{}\">lennon</a> follows <a class=\"target\" href=\"/users/{}\">hendrix</a> <time datetime=",
            lennon.id, hendrix.id
        )),
        "{page}"
    );
    assert!(lines[4].ends_with(">4 minutes ago</time></p>"), "{page}");
    assert_eq!(lines[21], "</section>");
    println!("{page}");
}

/// "Render what I just did": the row `send` returns, loaded in one call either way.
async fn what_send_returns_renders_in_one_call(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    let now = chrono::Utc::now();
    let loaded = action::Entity::send(&*db, &lennon, Verb::Follow)
        .target(&hendrix)
        .timestamp(now)
        .hydrated()
        .await
        .unwrap();
    assert_eq!(loaded.actor, action::ActorModel::User(lennon.clone()));
    let rendered = html(&loaded, now);
    assert!(
        rendered.contains("lennon") && rendered.contains("hendrix"),
        "{rendered}"
    );

    let sent = action::Entity::send(&*db, &hendrix, Verb::Follow)
        .target(&lennon)
        .await
        .unwrap();
    let loaded = action::Entity::hydrated(&*db, &sent).await.unwrap();
    assert_eq!(loaded.action, sent);
    assert_eq!(
        loaded.target,
        Some(action::TargetModel::User(lennon.clone()))
    );
    assert_eq!(html(&loaded, now), html(&newest(&db).await, now));

    // In a transaction the read-back sees the uncommitted row.
    let txn = stream_core::Transaction::begin(&db).await.unwrap();
    let loaded = action::Entity::send(&txn, &lennon, Verb::Default)
        .hydrated()
        .await
        .unwrap();
    txn.rollback().await.unwrap();
    assert_eq!(html(&loaded, now), "lennon did Stream Item.");
    let gone = action::Entity::hydrated(&*db, &loaded.action).await;
    assert!(
        matches!(
            gone,
            Err(stream_core::StreamError::Database(
                stream_core::sea_orm::DbErr::RecordNotFound(_)
            ))
        ),
        "{gone:?}"
    );
}

/// The groups of the aggregated stream of `target`, newest first.
async fn groups(
    db: &DatabaseConnection,
    select: stream_core::sea_orm::Select<action::Entity>,
) -> Vec<stream_core::Group<action::Entity>> {
    select
        .aggregated()
        .page(None, 20)
        .all(db)
        .await
        .unwrap()
        .items
}

fn group_html(group: &stream_core::Group<action::Entity>) -> String {
    let mut out = String::new();
    stream::render_group_html(group, chrono::Utc::now(), &mut out).unwrap();
    out
}

fn group_text(group: &stream_core::Group<action::Entity>) -> String {
    let mut out = String::new();
    stream::render_group_text(group, chrono::Utc::now(), &mut out).unwrap();
    out
}

/// `joined` has no group template in test-project, nor is there a `stream/group/action.html`:
/// the built-in names two actors and counts the others.
async fn groups_read_hendrix_joplin_and_3_others_with_the_builtin(db: TestDb) {
    let rust = common::group(&db, "rust").await;
    let mut fans = Vec::new();
    for name in ["harrison", "starr", "morrison", "joplin", "hendrix"] {
        let fan = common::user(&db, name).await;
        action::Entity::send(&*db, &fan, Verb::Joined)
            .target(&rust)
            .await
            .unwrap();
        fans.push(fan);
    }
    let five = groups(&db, action::Entity::for_target(&rust)).await;
    assert_eq!(
        group_html(&five[0]),
        "hendrix, joplin and 3 others joined rust."
    );
    assert_eq!(
        group_text(&five[0]),
        "hendrix, joplin and 3 others joined rust."
    );

    let three = groups(&db, action::Entity::for_actors(&fans[2..])).await;
    assert_eq!(
        group_html(&three[0]),
        "hendrix, joplin and 1 other joined rust."
    );
    let two = groups(&db, action::Entity::for_actors(&fans[3..])).await;
    assert_eq!(group_html(&two[0]), "hendrix and joplin joined rust.");
    // Liking twice is one actor: the count is of actors.
    action::Entity::send(&*db, &fans[4], Verb::Joined)
        .target(&rust)
        .await
        .unwrap();
    let again = groups(&db, action::Entity::for_actors(&fans[3..])).await;
    assert_eq!(again[0].actions, 3);
    assert_eq!(group_html(&again[0]), "hendrix and joplin joined rust.");
}

/// A group of one actor renders as its newest action does, with the verb's own template.
async fn a_group_of_one_actor_reads_as_its_action(db: TestDb) {
    let Beatles {
        lennon, hendrix, ..
    } = beatles(&db).await;
    let rust = common::group(&db, "rust").await;
    action::Entity::send(&*db, &hendrix, Verb::Joined)
        .target(&rust)
        .await
        .unwrap();
    action::Entity::send(&*db, &lennon, Verb::Default)
        .target(&hendrix)
        .await
        .unwrap();
    let now = chrono::Utc::now();
    for group in groups(&db, action::Entity::stream()).await {
        assert_eq!((group.actions, group.actors), (1, 1));
        let mut out = String::new();
        stream::render_group_html(&group, now, &mut out).unwrap();
        assert_eq!(out, html(group.newest_action(), now));
    }
}

/// `liked` has `templates/stream/group/liked.html`: links to every actor and the target.
async fn a_verb_with_a_group_template_uses_it(db: TestDb) {
    let Beatles {
        lennon,
        hendrix,
        morrison,
    } = beatles(&db).await;
    let joplin = common::user(&db, "joplin").await;
    let haze = common::post(&db, &lennon, "Wild Haze").await;
    for fan in [&morrison, &joplin, &hendrix] {
        action::Entity::send(&*db, fan, Verb::Liked)
            .target(&haze)
            .await
            .unwrap();
    }
    let liked = groups(&db, action::Entity::for_target(&haze)).await;
    let html = group_html(&liked[0]);
    assert!(
        html.starts_with(&format!(
            "<p class=\"group liked\"><a class=\"actor\" href=\"/users/{}\">hendrix</a>, <a class=\"actor\" href=\"/users/{}\">joplin</a> and 1 other liked <a class=\"target\" href=\"/posts/{}\">Wild Haze</a> <time datetime=",
            hendrix.id, joplin.id, haze.id
        )),
        "{html}"
    );
    assert!(stream::TEMPLATES.contains(&"stream/group/liked.html"));
    assert!(stream::unused_templates().is_empty());
}

/// The application's own view renders a page of groups with the `render_group` filter, HTML
/// escaped.
async fn groups_render_from_a_view_of_the_app_escaped(db: TestDb) {
    use test_project::stream::filters;

    #[derive(Template)]
    #[template(
        source = "<ul>{{ groups|render_group }}</ul>",
        ext = "html",
        askama = stream_templates::askama
    )]
    struct Grouped {
        groups: Vec<stream_core::Group<action::Entity>>,
    }

    let rust = common::group(&db, "<rust>").await;
    for name in ["<b>bold</b>", "joplin"] {
        let fan = common::user(&db, name).await;
        action::Entity::send(&*db, &fan, Verb::Joined)
            .target(&rust)
            .await
            .unwrap();
    }
    let view = Grouped {
        groups: groups(&db, action::Entity::stream()).await,
    };
    assert_eq!(
        view.render().unwrap(),
        "<ul>joplin and &#60;b&#62;bold&#60;/b&#62; joined &#60;rust&#62;.</ul>"
    );
}
