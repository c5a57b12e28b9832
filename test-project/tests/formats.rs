//! The formats of the library on every backend: actions as Activity Streams 2.0 activities
//! (checked against the shape of the W3C specification's examples), stream pages as
//! `OrderedCollectionPage`s whose `next` walks the whole stream, and Atom feeds read back by a
//! real feed parser (feed-rs).

mod common;

use common::TestDb;
use serde_json::Value;
use std::collections::BTreeSet;
use stream_core::activitystreams::{Activity, CONTEXT, Object, OrderedCollectionPage};
use stream_core::atom::AtomFeed;
use stream_core::prelude::*;
use stream_core::{As2Object, BaseUrl, Cursor, Iri};
use test_project::{Verb, action, comment, device, tag};

common::on_every_backend!(
    actions_are_activities_of_the_specification_shape,
    next_links_walk_a_stream_without_gaps_or_repeats,
    atom_feeds_parse_back_with_every_field,
);

fn base() -> BaseUrl {
    BaseUrl::new("https://social.example/app").unwrap()
}

/// The keys of an object, sorted.
fn keys(json: &Value) -> BTreeSet<&str> {
    json.as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

async fn actions_are_activities_of_the_specification_shape(db: TestDb) {
    let lennon = common::user(&db, "lennon").await;
    let hendrix = common::user(&db, "hendrix").await;
    let post = common::post(&db, &hendrix, "Purple / Haze?").await;
    let remark = comment::ActiveModel {
        post_id: stream_core::sea_orm::Set(post.id),
        author_id: stream_core::sea_orm::Set(lennon.id),
        body: stream_core::sea_orm::Set("far out".into()),
        ..Default::default()
    };
    let remark = stream_core::sea_orm::ActiveModelTrait::insert(remark, &*db)
        .await
        .unwrap();
    let followed = action::Entity::send(&*db, &lennon, Verb::Follow)
        .target(&hendrix)
        .await
        .unwrap();
    let liked = action::Entity::send(&*db, &lennon, Verb::Liked)
        .target(&post)
        .description("really <liked> it")
        .await
        .unwrap();
    let commented = action::Entity::send(&*db, &lennon, Verb::Commented)
        .action_object(&remark)
        .target(&post)
        .await
        .unwrap();
    let plain = action::Entity::send(&*db, &lennon, Verb::Default)
        .await
        .unwrap();

    let iri = base();
    let as_json =
        |loaded: &action::Loaded| serde_json::to_value(Activity::of(loaded, &iri)).unwrap();

    // "Sally followed John" (vocabulary, Follow): type, actor and object, plus what every
    // activity here has.
    let json = as_json(&action::Entity::hydrated(&*db, &followed).await.unwrap());
    assert_eq!(
        keys(&json),
        BTreeSet::from([
            "@context",
            "id",
            "type",
            "actor",
            "object",
            "published",
            "summary"
        ]),
        "{json:#}"
    );
    assert_eq!(json["@context"], CONTEXT);
    assert_eq!(json["type"], "Follow");
    assert_eq!(
        json["id"],
        format!("https://social.example/app/activities/{}", followed.id)
    );
    assert_eq!(
        json["actor"],
        serde_json::json!({
            "id": format!("https://social.example/app/users/{}", lennon.id),
            "type": "Person",
            "name": "lennon",
            "url": format!("https://social.example/app/users/{}", lennon.id),
        })
    );
    assert_eq!(json["object"]["name"], "hendrix");
    assert_eq!(json["summary"], "lennon follows hendrix");
    let published = chrono::DateTime::parse_from_rfc3339(json["published"].as_str().unwrap())
        .expect("RFC 3339");
    assert_eq!(published, followed.timestamp);

    // "Sally liked a note" (vocabulary, Like): the post is the object; the description is
    // the content, as written.
    let json = as_json(&action::Entity::hydrated(&*db, &liked).await.unwrap());
    assert_eq!(json["type"], "Like");
    assert_eq!(json["object"]["type"], "Article");
    assert_eq!(json["object"]["name"], "Purple / Haze?");
    assert_eq!(json["content"], "really <liked> it");
    assert!(json.get("target").is_none(), "{json:#}");

    // "Sally added a picture to her album" (vocabulary, Add): the action object is the
    // object, the target the target.
    let json = as_json(&action::Entity::hydrated(&*db, &commented).await.unwrap());
    assert_eq!(json["type"], "Create");
    assert_eq!(json["object"]["type"], "Note");
    assert_eq!(
        json["object"]["id"],
        format!(
            "https://social.example/app/posts/{}#comment-{}",
            post.id, remark.id
        )
    );
    assert_eq!(
        json["target"]["url"],
        format!("https://social.example/app/posts/{}", post.id)
    );
    assert_eq!(
        json["summary"],
        "lennon commented on far out on Purple / Haze?"
    );

    // A verb without `as2` is a plain `Activity`; without target there is no object.
    let json = as_json(&action::Entity::hydrated(&*db, &plain).await.unwrap());
    assert_eq!(json["type"], "Activity");
    assert!(json.get("object").is_none(), "{json:#}");

    // Read back by the library's own types, nothing lost.
    let activity: Activity = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(serde_json::to_value(&activity).unwrap(), json);
}

async fn next_links_walk_a_stream_without_gaps_or_repeats(db: TestDb) {
    let common::Beatles {
        lennon, hendrix, ..
    } = common::beatles(&db).await;
    let start = chrono::Utc::now() - chrono::Duration::hours(1);
    for n in 0..23 {
        // Some share a timestamp, so the cursor's id half is exercised too.
        action::Entity::send(&*db, &lennon, Verb::Follow)
            .target(&hendrix)
            .timestamp(start + chrono::Duration::seconds(n / 2))
            .await
            .unwrap();
    }
    let expected: Vec<i64> = action::Entity::for_actor(&lennon)
        .all(&*db)
        .await
        .unwrap()
        .iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(expected.len(), 23);

    let iri = base();
    let collection = "https://social.example/app/api/users/1";
    let mut after: Option<Cursor> = None;
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let page = action::Entity::for_actor(&lennon)
            .page(after.as_ref(), 10)
            .hydrated(&*db)
            .await
            .unwrap();
        let json = serde_json::to_value(OrderedCollectionPage::of(
            &page,
            "/api/users/1",
            after.as_ref(),
            &iri,
        ))
        .unwrap();
        pages += 1;
        assert_eq!(json["@context"], CONTEXT);
        assert_eq!(json["type"], "OrderedCollectionPage");
        assert_eq!(json["partOf"], collection);
        let id = json["id"].as_str().unwrap();
        match &after {
            None => assert_eq!(id, collection),
            Some(after) => assert_eq!(id, format!("{collection}?after={after}")),
        }
        for item in json["orderedItems"].as_array().unwrap() {
            assert!(
                item.get("@context").is_none(),
                "only the page has a context"
            );
            let id = item["id"].as_str().unwrap();
            seen.push(id.rsplit('/').next().unwrap().parse::<i64>().unwrap());
        }
        let Some(next) = json["next"].as_str() else {
            break;
        };
        let cursor = next
            .strip_prefix(&format!("{collection}?after="))
            .expect("next is the collection's absolute URL with a cursor");
        after = Some(cursor.parse().expect("a cursor of the library"));
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, expected, "every action once, newest first");
}

async fn atom_feeds_parse_back_with_every_field(db: TestDb) {
    let common::Beatles {
        lennon, hendrix, ..
    } = common::beatles(&db).await;
    let group = common::group(&db, "rust & <friends>").await;
    let first = action::Entity::send(&*db, &lennon, Verb::Joined)
        .target(&group)
        .timestamp(chrono::Utc::now() - chrono::Duration::minutes(5))
        .await
        .unwrap();
    let second = action::Entity::send(&*db, &hendrix, Verb::Joined)
        .target(&group)
        .description("a bell \u{7} in the text")
        .await
        .unwrap();
    let third = action::Entity::send(&*db, &lennon, Verb::Follow)
        .target(&hendrix)
        .await
        .unwrap();

    let iri = base();
    let page = action::Entity::involving(&group)
        .page(None, 1)
        .hydrated(&*db)
        .await
        .unwrap();
    let xml = AtomFeed::new("rust & <friends>", "/groups/1/atom", None, &iri)
        .alternate("/groups/1")
        .author("the site")
        .feed(&page)
        .to_string();
    let feed = feed_rs::parser::parse(xml.as_bytes()).expect("a valid Atom feed");
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
    assert_eq!(feed.id, "https://social.example/app/groups/1/atom");
    assert_eq!(feed.title.unwrap().content, "rust & <friends>");
    assert_eq!(feed.updated.unwrap(), second.timestamp);
    assert_eq!(feed.authors[0].name.as_deref(), Some("the site"));
    let link = |rel: &str| {
        feed.links
            .iter()
            .find(|link| link.rel.as_deref() == Some(rel))
            .map(|link| link.href.clone())
    };
    assert_eq!(
        link("self").as_deref(),
        Some("https://social.example/app/groups/1/atom")
    );
    assert_eq!(
        link("alternate").as_deref(),
        Some("https://social.example/app/groups/1")
    );
    let next = link("next").expect("a next page");
    assert_eq!(feed.entries.len(), 1);
    let entry = &feed.entries[0];
    assert_eq!(entry.id, iri.activity(second.id), "the Activity Streams id");
    assert_eq!(
        entry.title.as_ref().unwrap().content,
        "hendrix joined rust & <friends>"
    );
    assert_eq!(entry.published.unwrap(), second.timestamp);
    assert_eq!(entry.updated.unwrap(), second.timestamp);
    assert_eq!(entry.authors[0].name.as_deref(), Some("hendrix"));
    assert_eq!(
        entry.authors[0].uri.as_deref(),
        Some(format!("https://social.example/app/users/{}", hendrix.id).as_str())
    );
    let content = entry.content.as_ref().unwrap().body.as_deref().unwrap();
    assert_eq!(content, "hendrix joined rust & <friends>");

    // The second page, from the cursor of `next`: the older action, and no `next`.
    let cursor: Cursor = next.split("after=").nth(1).unwrap().parse().unwrap();
    let page = action::Entity::involving(&group)
        .page(Some(&cursor), 1)
        .hydrated(&*db)
        .await
        .unwrap();
    let xml = AtomFeed::new("rust", "/groups/1/atom", Some(&cursor), &iri)
        .feed_with(&page, |action| {
            format!("#{}: {}", action.id(), action.summary())
        })
        .to_string();
    let feed = feed_rs::parser::parse(xml.as_bytes()).expect("a valid Atom feed");
    assert_eq!(
        feed.id, "https://social.example/app/groups/1/atom",
        "one id for every page"
    );
    assert_eq!(feed.entries.len(), 1);
    assert_eq!(feed.entries[0].id, iri.activity(first.id));
    assert_eq!(
        feed.entries[0].title.as_ref().unwrap().content,
        format!("#{}: lennon joined rust & <friends>", first.id)
    );
    assert!(
        feed.links
            .iter()
            .all(|link| link.rel.as_deref() != Some("next"))
    );

    // A description with a control character still makes a readable feed.
    let page = action::Entity::stream()
        .page(None, 10)
        .hydrated(&*db)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 3);
    let xml = AtomFeed::new("all", "/atom", None, &iri)
        .feed_with(&page, |action| {
            action.description().unwrap_or_default().to_owned()
        })
        .to_string();
    let feed = feed_rs::parser::parse(xml.as_bytes()).expect("a valid Atom feed");
    assert_eq!(feed.entries[0].id, iri.activity(third.id));
    assert_eq!(
        feed.entries[1].title.as_ref().unwrap().content,
        "a bell  in the text"
    );
}

/// A model without `as2(..)` is an `Object` named by its `display`, with an id from its
/// stream name and key, the key percent-encoded.
#[test]
fn models_without_as2_attributes_get_defaults() {
    let device = device::Model {
        id: 1 << 40,
        name: "tablet".into(),
    };
    assert_eq!(device.as2_type(), "Object");
    assert_eq!(device.as2_name(), "tablet");
    assert_eq!(device.as2_id(), format!("/device/{}", 1_i64 << 40));
    assert_eq!(device.as2_url(), None);
    let tag = tag::Model {
        id: "rust/async #1".into(),
    };
    assert_eq!(tag.as2_id(), "/tag/rust%2Fasync%20%231");
    let object = Object::of(&tag, &base());
    assert_eq!(
        object.id,
        "https://social.example/app/tag/rust%2Fasync%20%231"
    );
    assert_eq!(object.name.as_deref(), Some("rust/async #1"));
    assert_eq!(object.url, None);
}

/// `as2(manual)`: the application writes the object, with any property.
mod robot {
    use stream_core::activitystreams::Object;
    use stream_core::sea_orm::{self, entity::prelude::*};
    use stream_core::{As2Object, Iri};

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, stream_core::Streamable)]
    #[sea_orm(table_name = "robot")]
    #[stream(actor, as2(manual))]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i32,
        pub serial: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    impl As2Object for Model {
        fn as2_type(&self) -> std::borrow::Cow<'static, str> {
            "Service".into()
        }
        fn as2_name(&self) -> String {
            format!("robot {}", self.serial)
        }
        fn as2_id(&self) -> String {
            format!("urn:robot:{}", self.serial)
        }
        fn to_as2(&self, iri: &dyn Iri) -> Object {
            let mut object = Object::of(self, iri);
            object
                .extra
                .insert("summary".into(), format!("serial {}", self.serial).into());
            object
        }
    }
}

#[test]
fn a_hand_written_object_has_full_control() {
    let robot = robot::Model {
        id: 1,
        serial: "R2".into(),
    };
    let json = serde_json::to_value(robot.to_as2(&base())).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "id": "urn:robot:R2",
            "type": "Service",
            "name": "robot R2",
            "summary": "serial R2",
        })
    );
}
